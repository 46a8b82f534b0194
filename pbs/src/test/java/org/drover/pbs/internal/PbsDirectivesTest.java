package org.drover.pbs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.drover.DependencyType;
import org.drover.Job;
import org.drover.Memory;
import org.drover.pbs.PbsFlavour;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.junit.jupiter.api.Test;

/** The #PBS lines of a job, per flavour, and what PBS cannot express. */
class PbsDirectivesTest {
    private static List<String> render(Job job, PbsFlavour f, Submission.IdDependency... deps) {
        Submission s = new Submission(job, "b", Path.of("/runs/b/" + job.name() + "/1"), 1, List.of(deps), "drvtok");
        return PbsDirectives.render(s, f, job.name(), "/runs/out", "/runs/err", null, java.util.Set.of());
    }

    @Test
    void proUsesOneSelectChunkPerNodeAndItsOwnMemoryUnits() {
        Job job = Job.named("train").command("python", "train.py").cpus(4).memory("1536M").gpus(1).walltime("1-12:00:00")
                .partition("gpu").account("proj1").exclusive();
        assertThat(render(job, PbsFlavour.PRO, new Submission.IdDependency("7.pbshost", DependencyType.AFTER_OK),
                new Submission.IdDependency("8.pbshost", DependencyType.AFTER_ANY),
                new Submission.IdDependency("9.pbshost", DependencyType.AFTER_OK))).containsExactly(
                "#PBS -N train", "#PBS -o /runs/out", "#PBS -e /runs/err",
                "#PBS -l select=1:ncpus=4:mpiprocs=1:mem=1536mb:ngpus=1", "#PBS -l place=excl",
                "#PBS -l walltime=36:00:00", "#PBS -q gpu", "#PBS -A proj1", "#PBS -r n",
                "#PBS -W depend=afterok:7.pbshost:9.pbshost,afterany:8.pbshost");
    }

    @Test
    void torqueUsesNodesAndPpnAndMemoryForTheWholeJob() {
        Job job = Job.named("mpi").command("true").nodes(2).tasks(4).cpus(2).memory("4G").walltime("00:10:00")
                .exclusive().requeue(true);
        assertThat(render(job, PbsFlavour.TORQUE)).containsExactly("#PBS -N mpi", "#PBS -o /runs/out",
                "#PBS -e /runs/err", "#PBS -l nodes=2:ppn=4", "#PBS -l mem=8gb", "#PBS -n",
                "#PBS -l walltime=00:10:00", "#PBS -r y");
        assertThat(render(job, PbsFlavour.PRO)).contains("#PBS -l select=2:ncpus=4:mpiprocs=2:mem=4gb");
    }

    @Test
    void whatPbsCannotExpressIsRefusedNamingTheJobAndTheField() {
        assertThatThrownBy(() -> render(Job.named("q").command("true").qos("high"), PbsFlavour.PRO))
                .isInstanceOf(SchedulerException.class).hasMessageStartingWith("job 'q' sets qos 'high'");
        assertThatThrownBy(() -> render(Job.named("c").command("true").constraint("intel"), PbsFlavour.TORQUE))
                .hasMessageStartingWith("job 'c' sets constraint 'intel'");
        assertThatThrownBy(() -> render(Job.named("odd").command("true").nodes(2).tasks(3), PbsFlavour.PRO))
                .hasMessageStartingWith("job 'odd' sets tasks '3 tasks of 1 cpus on 2 nodes'");
    }

    @Test
    void namesAreMadeWhatQsubTakes() {
        // Real qsub refused "a/b", "bad name" and a 300-character name (fixtures qsub-N_*), took "123" and "1abc".
        assertThat(PbsDirectives.jobName("a/b")).isEqualTo("a_b");
        assertThat(PbsDirectives.jobName("bad name")).isEqualTo("bad_name");
        assertThat(PbsDirectives.jobName("n".repeat(300))).hasSize(236);
        assertThat(PbsDirectives.jobName("1abc")).isEqualTo("1abc");
        assertThat(PbsDirectives.jobName("train_0.5+x")).isEqualTo("train_0.5+x");
    }

    @Test
    void memoryIsWrittenInThePbsUnitsThatKeepItExact() {
        assertThat(PbsDirectives.memory(Memory.parse("4G"))).isEqualTo("4gb");
        assertThat(PbsDirectives.memory(Memory.parse("100M"))).isEqualTo("100mb");
        assertThat(PbsDirectives.memory(Memory.ofBytes(3 * 1024))).isEqualTo("3kb");
        assertThat(PbsDirectives.memory(Memory.ofBytes(999))).isEqualTo("999b");
    }
}
