package org.drover.local;

/** The tasks of one array submitted with a limit on running tasks; guarded by the scheduler's lock. */
final class ArrayGroup {
    final int maxRunning;
    int running;

    ArrayGroup(int maxRunning) {
        this.maxRunning = maxRunning;
    }
}
