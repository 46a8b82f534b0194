/**
 * How PBS's client commands answer, for the {@code PbsScheduler}: {@link
 * org.drover.pbs.internal.QstatFullParser} reads the text form of {@code qstat -f} / {@code qstat -x -f}
 * (wrapped values joined), {@link org.drover.pbs.internal.PbsStates} says what a job's state letter,
 * exit status, substate and comment mean (PBS Pro/OpenPBS and Torque), and {@link
 * org.drover.pbs.internal.QsubOutput} reads qsub's job id, {@link org.drover.pbs.internal.QstatAnswer} gives a status
 * for every id of one batched qstat call; {@link org.drover.pbs.internal.PbsDirectives}
 * writes a job's {@code #PBS} lines per {@link org.drover.pbs.PbsFlavour} (refusing what
 * the flavour cannot express). Tested on real OpenPBS 23.06.06 outputs
 * ({@code src/test/resources/fixtures/pbs}).
 */
package org.drover.pbs.internal;
