/**
 * Test support for harnesses that use Drover: {@link org.drover.testing.InMemoryScheduler}, a simulated
 * cluster with slots and ticks that can fail nodes, preempt, time out and answer status queries badly,
 * deterministically and without processes; and {@link org.drover.testing.CountingShell}, a
 * {@link org.drover.shell.Shell} that counts the commands it runs by program name.
 */
package org.drover.testing;
