# Drover's fork server: starts the jobs of a LocalScheduler, so that the JVM launches one process
# (this one) instead of one per job. Each job costs one posix_spawn (vfork + exec in glibc: no copy
# of this process, one exec), where the JDK's default launch costs two execs (jspawnhelper, then the
# program). Requests arrive on stdin as NUL-terminated fields; nothing is evaluated:
#   S id dir stdout stderr records started-tail n-unset name... n-env NAME=value... n-argv word...
#                                                                            start a job
#   K signal pgid                                                            signal a job's group
# Reports go to stdout, one line per write:
#   P id pid      the job runs as pid, leader of its own process group
#   N id what     it cannot start: what is dir, stdout, stderr or command
#   X id status   it ended: its exit code, or 128+signal
# The job's records are the server's, not the JVM's, so that they are written even when the JVM
# is gone: in the directory `records` it writes `started` ("epoch-seconds host pid start-ticks"
# plus started-tail; start-ticks is field 22 of /proc/pid/stat, which tells the process from a
# later one with the same pid) once the job runs, and `exitcode` when it ends, before it reports X.
# When a job's main process ends, what it left running in its process group is killed, as SLURM
# does at the end of a job. Exits are seen through pidfds in the same poll as stdin: nothing polls
# on a timer. The server leads its own session (a terminal's Ctrl-C to the JVM does not reach it);
# at the end of stdin (the JVM closed the scheduler, or died) it waits for its jobs, writing their
# records, then exits; a JVM that no longer reads its reports does not stop it.
import os
import select
import signal
import time

KEEP_COERCE = os.environb.pop(b"DROVER_FORK_SERVER_KEEP_COERCE", None)
BASE_ENV = dict(os.environb)
if KEEP_COERCE is None:
    BASE_ENV.pop(b"PYTHONCOERCECLOCALE", None)   # set by the JVM side only to keep this process's locale out of jobs
# The JVM and Python ignore or block some signals; a job starts with every signal at its default.
DEFAULT_SIGNALS = [s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP) and s < 32]


LISTENING = [True]


def report(line):
    if LISTENING[0]:
        try:
            os.write(1, line.encode() + b"\n")
        except OSError:   # the JVM is gone: the jobs and their records go on without it
            LISTENING[0] = False


def put(directory, name, text):
    """Writes directory/name atomically (temporary file, then rename), as the job wrapper does."""
    if not directory:
        return
    tmp = os.path.join(directory, b".%s.%d" % (name, os.getpid()))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            os.write(fd, text.encode() + b"\n")
        finally:
            os.close(fd)
        os.rename(tmp, os.path.join(directory, name))
    except OSError:
        pass   # the JVM sees the job end all the same; a reader without the file treats it as lost


def start_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return "0"


def start(fields, jobs, poller):
    job_id, directory, out, err, records, tail = fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]
    i = 6
    n = int(fields[i]); unset = fields[i + 1:i + 1 + n]; i += 1 + n
    n = int(fields[i]); env = fields[i + 1:i + 1 + n]; i += 1 + n
    n = int(fields[i]); argv = fields[i + 1:i + 1 + n]
    jid = job_id.decode()
    e = dict(BASE_ENV)
    for name in unset:
        e.pop(name, None)
    for pair in env:
        name, _, value = pair.partition(b"=")
        e[name] = value
    opened = []
    try:
        what = "stdout"
        opened.append(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666))
        what = "stderr"
        opened.append(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666))
        opened.append(os.open(b"/dev/null", os.O_RDONLY))
        what = "dir"
        os.chdir(directory)   # single-threaded: the child inherits it
        what = "command"
        pid = os.posix_spawnp(argv[0], argv, e, file_actions=[
            (os.POSIX_SPAWN_DUP2, opened[2], 0), (os.POSIX_SPAWN_DUP2, opened[0], 1),
            (os.POSIX_SPAWN_DUP2, opened[1], 2)], setpgroup=0, setsigdef=DEFAULT_SIGNALS, setsigmask=[])
    except (OSError, ValueError):
        report("N %s %s" % (jid, what))
        report("X %s 127" % jid)
        return
    finally:
        for fd in opened:
            os.close(fd)
    put(records, b"started", "%d %s %d %s%s" % (int(time.time()), HOST, pid, start_ticks(pid), tail.decode()))
    report("P %s %d" % (jid, pid))
    pidfd = os.pidfd_open(pid)
    jobs[pidfd] = (jid, pid, records)
    poller.register(pidfd, select.POLLIN)


def ended(jid, pid, records):
    """The job's main process ended (a zombie still: its pid, the group's id, cannot be reused yet)."""
    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    code = info.si_status if info.si_code == os.CLD_EXITED else 128 + info.si_status
    try:
        os.killpg(pid, signal.SIGKILL)   # what it left behind in its group
    except OSError:
        pass
    put(records, b"exitcode", str(code))
    os.waitpid(pid, 0)
    report("X %s %d" % (jid, code))


def request(fields, pos):
    """The end of the complete request at fields[pos:], or -1 if more fields must come."""
    if pos >= len(fields):
        return -1
    op = fields[pos]
    if op == b"K":
        return pos + 3 if pos + 3 <= len(fields) else -1
    i = pos + 7   # op, id, dir, stdout, stderr, records, started-tail
    for _ in range(3):
        if i >= len(fields):
            return -1
        i += 1 + int(fields[i])
    return i if i <= len(fields) else -1


def main():
    poller = select.poll()
    poller.register(0, select.POLLIN)
    jobs = {}
    pending = b""
    fields = []
    reading = True
    while reading or jobs:
        for fd, _ in poller.poll():
            if fd == 0:
                data = os.read(0, 65536)
                if not data:
                    reading = False
                    poller.unregister(0)
                    continue
                parts = (pending + data).split(b"\0")
                pending = parts.pop()
                fields.extend(parts)
                pos = 0
                while True:
                    end = request(fields, pos)
                    if end < 0:
                        break
                    if fields[pos] == b"K":
                        try:
                            os.killpg(int(fields[pos + 2]), signal.Signals["SIG" + fields[pos + 1].decode()])
                        except (OSError, KeyError, ValueError):
                            pass
                    else:
                        start(fields[pos + 1:end], jobs, poller)
                    pos = end
                del fields[:pos]
            elif fd in jobs:
                jid, pid, records = jobs.pop(fd)
                poller.unregister(fd)
                os.close(fd)
                ended(jid, pid, records)


HOST = os.uname().nodename
os.setsid()
main()
