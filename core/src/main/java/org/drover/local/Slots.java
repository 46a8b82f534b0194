package org.drover.local;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What is free of the machine's cpus, memory and gpus, and of each array's running-task limit. A job
 * reserves {@code cpus x tasks} cpus, its memory (none if it asks none) and its gpus, by device
 * number; guarded by the scheduler's lock.
 */
final class Slots {
    private final BitSet freeGpus = new BitSet();
    private final int gpus;
    private int freeCpus;
    private long freeMemory;

    Slots(int cpus, long memory, int gpus) {
        this.freeCpus = cpus;
        this.freeMemory = memory;
        this.gpus = gpus;
        this.freeGpus.set(0, gpus);
    }

    /** Whether the job's cpus, memory and gpus are free now. */
    boolean fits(LocalJob j) {
        return j.cpus <= freeCpus && j.memory <= freeMemory
                && j.submission.job().resources().gpus() <= freeGpus.cardinality();
    }

    /** Takes the job's cpus, memory and the lowest free gpus (in {@code j.gpus}) and a place in its array. */
    void reserve(LocalJob j) {
        int gpus = j.submission.job().resources().gpus();
        List<Integer> devices = new ArrayList<>(gpus);
        for (int g = freeGpus.nextSetBit(0); g >= 0 && devices.size() < gpus; g = freeGpus.nextSetBit(g + 1)) {
            devices.add(g);
        }
        freeCpus -= j.cpus;
        freeMemory -= j.memory;
        devices.forEach(freeGpus::clear);
        if (j.group != null) {
            j.group.running++;
        }
        j.gpus = devices;
    }

    /**
     * Takes what a job started elsewhere holds (a job re-attached from an earlier scheduler): its
     * cpus, memory and these very gpu devices. What is free may go below zero when that scheduler
     * had more; jobs then wait until enough has ended.
     */
    void take(int cpus, long memory, List<Integer> gpus) {
        freeCpus -= cpus;
        freeMemory -= memory;
        gpus.forEach(freeGpus::clear);
    }

    /** Gives back what {@link #take} took. */
    void give(int cpus, long memory, List<Integer> gpus) {
        freeCpus += cpus;
        freeMemory += memory;
        for (int g : gpus) {
            if (g < this.gpus) {   // a device of the earlier scheduler that this one does not have stays out
                freeGpus.set(g);
            }
        }
    }

    /** Gives back what {@link #reserve} took. */
    void release(LocalJob j) {
        freeCpus += j.cpus;
        freeMemory += j.memory;
        j.gpus.forEach(freeGpus::set);
        if (j.group != null) {
            j.group.running--;
        }
    }
}
