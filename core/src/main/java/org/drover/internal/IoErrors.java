package org.drover.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * The operating system's reason for an I/O failure, in words, with the file it concerns. Java's
 * file exceptions often carry only the path: an {@link AccessDeniedException}'s message is
 * {@code /runs/study_1/train}, without the {@code Permission denied} a person needs to act.
 *
 * <pre>{@code
 * IoErrors.describe(new AccessDeniedException("/runs/x"))   // "/runs/x: Permission denied"
 * IoErrors.describe(new FileSystemException("/runs/x", null, "Read-only file system"))
 *                                                           // "/runs/x: Read-only file system"
 * }</pre>
 */
public final class IoErrors {
    private IoErrors() {}

    /**
     * The file (and the other file, for a move or link) and the OS's reason, e.g.
     * {@code /runs/x: Permission denied}; for other I/O errors their message.
     *
     * @param e the failure
     * @return a description that always holds the reason the OS gave, where Java kept it
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            String reason = f.getReason() != null ? f.getReason() : reasonOf(f);
            StringBuilder sb = new StringBuilder();
            if (f.getFile() != null) {
                sb.append(f.getFile());
            }
            if (f.getOtherFile() != null) {
                sb.append(" -> ").append(f.getOtherFile());
            }
            if (reason != null) {
                sb.append(sb.length() > 0 ? ": " : "").append(reason);
            }
            return sb.length() > 0 ? sb.toString() : e.getClass().getSimpleName();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** The errno text the JDK left out (these exceptions stand for one errno each and carry no reason). */
    private static String reasonOf(FileSystemException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        } else if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        } else if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        } else if (e instanceof NotDirectoryException) {
            return "Not a directory";
        } else if (e instanceof DirectoryNotEmptyException) {
            return "Directory not empty";
        } else if (e instanceof NotLinkException) {
            return "Not a symbolic link";
        }
        return null;
    }
}
