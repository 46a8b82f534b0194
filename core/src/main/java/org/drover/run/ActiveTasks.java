package org.drover.run;

import java.util.Arrays;
import java.util.Iterator;

/**
 * The tasks with an attempt in the queue: an array with each task's slot in it, so that adding
 * and removing write into one array and an int instead of the nodes of a linked hash set.
 * Removing moves the last task into the freed slot, so the order is not the order of addition.
 */
final class ActiveTasks implements Iterable<Task> {
    private Task[] items = new Task[16];
    private int size;

    void add(Task t) {
        if (t.activeSlot >= 0) {
            return;
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        t.activeSlot = size;
        items[size++] = t;
    }

    void remove(Task t) {
        int slot = t.activeSlot;
        if (slot < 0) {
            return;
        }
        Task moved = items[--size];
        items[slot] = moved;
        moved.activeSlot = slot;
        items[size] = null;
        t.activeSlot = -1;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** A copy, to go through while tasks are removed. */
    Task[] toArray() {
        return Arrays.copyOf(items, size);
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            items[i].activeSlot = -1;
            items[i] = null;
        }
        size = 0;
    }

    @Override
    public Iterator<Task> iterator() {
        return Arrays.asList(toArray()).iterator();
    }
}
