/**
 * The embedded local executor: {@link org.drover.local.LocalScheduler} runs jobs as processes of this
 * machine, with a cap on cpus, no cluster needed. It is the default scheduler of the examples and the
 * quickest way to try a bundle.
 *
 * <pre>{@code
 * try (LocalScheduler local = LocalScheduler.create()) {
 *     RunManager run = RunManager.of(bundle).on(local).store(Path.of("runs/study.json")).start();
 *     System.out.println(run.awaitCompletion());
 * }
 * }</pre>
 */
package org.drover.local;
