package org.drover;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a test needs to start another JVM on Drover's classes (a manager to kill, a JVM under
 * another locale or without some rights): surefire runs the tests on the module path, so
 * {@code java.class.path} alone lacks Drover's own classes and their dependencies.
 *
 * <pre>{@code
 * new ProcessBuilder(ChildJvm.java(), "-cp", ChildJvm.classPath(), Main.class.getName()).start();
 * }</pre>
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** The {@code java} launcher of the JVM running the tests. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The module path and class path of this JVM, the test classes and the main classes, as one class path. */
    public static String classPath() {
        List<String> parts = new ArrayList<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                parts.add(value);
            }
        }
        parts.add(Path.of("target/test-classes").toAbsolutePath().toString());
        parts.add(Path.of("target/classes").toAbsolutePath().toString());
        return String.join(File.pathSeparator, parts);
    }
}
