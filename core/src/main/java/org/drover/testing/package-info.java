/**
 * Test support for harnesses that use Drover.
 * <ul>
 *   <li>{@link org.drover.testing.InMemoryScheduler}: a simulated cluster with slots and ticks that
 *       fails nodes, preempts, times out and answers status queries badly, deterministically and
 *       without processes, for tests of a harness's own retry policies and done checks.</li>
 *   <li>{@link org.drover.testing.DroverExtension}: a JUnit 5 extension that hands a test a
 *       {@link org.drover.testing.DroverRuns} (run managers on a LocalScheduler or the simulated
 *       cluster, in a temporary runs root, polling quickly and quietly) and cleans up after it.</li>
 *   <li>{@link org.drover.testing.DroverAssertions}: AssertJ assertions on runs and tasks whose
 *       failure messages show each failing task's reason and the tail of its stderr.</li>
 *   <li>{@link org.drover.testing.CountingShell}: a {@link org.drover.shell.Shell} that counts the
 *       commands it runs by program name.</li>
 * </ul>
 * The extension and the assertions need {@code junit-jupiter-api} and {@code assertj-core} on the
 * class path (optional dependencies of drover-core, test dependencies of a harness); the simulated
 * cluster and the shell need nothing.
 *
 * <pre>{@code
 * @ExtendWith(DroverExtension.class)
 * class StudyTest {
 *     @Test
 *     void everyModelTrains(DroverRuns drover) {
 *         RunReport end = drover.run(study);
 *         DroverAssertions.assertThat(end).allCompleted();
 *     }
 * }
 * }</pre>
 */
package org.drover.testing;
