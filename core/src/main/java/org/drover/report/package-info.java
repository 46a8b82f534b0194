/**
 * Reports for people: the {@link org.drover.report.Timeline}, one self-contained HTML page with a
 * bar per attempt of a run (queued, running, end state) and a table of every attempt with its
 * reason and links to its output. It reads a {@link org.drover.run.RunRecord}: of a running
 * {@link org.drover.run.RunManager} ({@link org.drover.run.RunManager#writeTimeline}), or of a
 * saved store, without a scheduler.
 *
 * <pre>{@code
 * Timeline.fromStore(Path.of("runs/study.json")).write(Path.of("runs/study-timeline.html"));
 * }</pre>
 */
package org.drover.report;
