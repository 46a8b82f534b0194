/**
 * Implementation details of drover-core: JSON mapping, atomic files, the run store's writer, the
 * default retry policy, timestamps and placeholders. Not API: the module descriptor does not export
 * this package to users, and anything here may change in any release.
 */
package org.drover.internal;
