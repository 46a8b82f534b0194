package org.drover.internal;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.drover.RecordFormatException;

/**
 * The one Jackson mapper Drover uses: only annotated properties, and records exactly as strict as the
 * fluent API — unknown fields, duplicate keys, trailing tokens, a fraction or a string where a whole
 * number belongs and a number or boolean where a string belongs are all rejected. Errors become
 * {@link RecordFormatException}s that name the source, the full JSON path
 * ({@code jobs[3].resources.walltime}) and the reason in Drover's words, never Jackson's class names.
 */
public final class Json {
    /** The mapper of job and bundle records. */
    public static final ObjectMapper MAPPER = strictReader()
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    /**
     * A mapper builder that reads as strictly as the fluent API checks: every Drover record is read
     * with these settings (job and bundle records here, the run store in {@link JsonRunStore}).
     *
     * @return a new builder
     */
    static JsonMapper.Builder strictReader() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, c -> c
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail));
    }

    private Json() {}

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * Reads a job or bundle record.
     *
     * @param json the record
     * @param type what it holds
     * @param source what the text is, for error messages ({@code job JSON})
     * @param <T> the type
     * @return the value
     * @throws RecordFormatException naming the source, the JSON path and the reason
     */
    public static <T> T read(String json, Class<T> type, String source) {
        try (JsonParser p = new NoNulls(MAPPER.createParser(json))) {
            return MAPPER.readValue(p, type);
        } catch (JsonProcessingException e) {
            throw formatError(source, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + ": " + IoErrors.describe(e), e);
        }
    }

    /**
     * Reads a job or bundle record from a file.
     *
     * @param file the file
     * @param type what it holds
     * @param <T> the type
     * @return the value
     * @throws RecordFormatException naming the file, the JSON path and the reason
     * @throws UncheckedIOException if the file is missing or cannot be read, with the OS's reason
     */
    public static <T> T read(Path file, Class<T> type) {
        try (JsonParser p = new NoNulls(MAPPER.createParser(file.toFile()))) {
            return MAPPER.readValue(p, type);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no such file: " + file, e);
        } catch (JsonProcessingException e) {
            throw formatError(file.toString(), e);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new UncheckedIOException("no such file: " + file, e);
            }
            throw new UncheckedIOException("cannot read " + file + ": " + IoErrors.describe(e), e);
        }
    }

    /**
     * Runs a fluent-API check for one field of a record being read, so that its error names the field:
     * {@code Json.field("walltime", () -> Walltime.parse(text))}.
     *
     * @param name the field's name, or an index such as {@code [3]}
     * @param value computes the field's value, throwing {@link IllegalArgumentException} when it is bad
     * @param <T> the value's type
     * @return the value
     */
    public static <T> T field(String name, Supplier<T> value) {
        try {
            return value.get();
        } catch (FieldException e) {
            throw new FieldException(join(name, e.field), e.getMessage(), e);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new FieldException(name, e.getMessage() == null ? "must not be null" : e.getMessage(), e);
        }
    }

    /** A bad value of one field, found by the fluent API while a record was read. */
    static final class FieldException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final String field;

        FieldException(String field, String message, Throwable cause) {
            super(message, cause);
            this.field = field;
        }
    }

    /**
     * A clear error: source, full JSON path, and why, in Drover's words.
     *
     * @param source the file or what the text was
     * @param e what Jackson threw
     * @return the error to throw
     */
    public static RecordFormatException formatError(String source, JsonProcessingException e) {
        String path = e instanceof JsonMappingException ? path((JsonMappingException) e) : "";
        if (path.isEmpty() && e.getProcessor() instanceof JsonParser) {
            path = path(((JsonParser) e.getProcessor()).getParsingContext());
        }
        String why = reason(e);
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof NullValue) {   // the parser's own path: databind's stops at the object
                path = ((NullValue) t).path;
                why = ((NullValue) t).getOriginalMessage();
                break;
            }
        }
        why = LOCATION.matcher(why).replaceAll("");
        Matcher duplicate = DUPLICATE.matcher(why);
        if (duplicate.matches()) {
            String name = duplicate.group(1);
            if (!path.equals(name) && !path.endsWith("." + name)) {   // the parser may already be on it
                path = join(path, name);
            }
            why = "the field \"" + duplicate.group(1) + "\" appears twice; give each field once";
        }
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof FieldException) {
                path = join(path, ((FieldException) t).field);
                why = t.getMessage();
                break;
            }
        }
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return new RecordFormatException(source + ": " + (path.isEmpty() ? "" : "at " + path + ": ") + why + where, e);
    }

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");
    /** Jackson's own location text, which may sit inside a message: we give line and column ourselves. */
    private static final Pattern LOCATION = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)|\\s*at \\[Source:[^\\]]*\\]|\\s*\\[Source:[^\\]]*\\]");

    private static String join(String path, String field) {
        if (path.isEmpty()) {
            return field;
        }
        return field.startsWith("[") ? path + field : path + "." + field;
    }

    /** Why the record is wrong, without Jackson's class names and source descriptions. */
    private static String reason(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException) {
            UnrecognizedPropertyException u = (UnrecognizedPropertyException) e;
            Collection<Object> known = u.getKnownPropertyIds();
            return "unknown field \"" + u.getPropertyName() + "\""
                    + (known == null || known.isEmpty() ? "" : "; the fields are "
                    + known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        }
        if (e instanceof InvalidFormatException) {
            InvalidFormatException f = (InvalidFormatException) e;
            return "expected " + kind(f.getTargetType()) + ", got " + shown(f.getValue());
        }
        if (e instanceof MismatchedInputException && ((MismatchedInputException) e).getTargetType() != null) {
            MismatchedInputException m = (MismatchedInputException) e;
            String got = e.getProcessor() instanceof JsonParser ? token((JsonParser) e.getProcessor()) : "";
            return "expected " + kind(m.getTargetType()) + (got.isEmpty() ? "" : ", got " + got);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof IllegalArgumentException || root instanceof RecordFormatException) {
            return root.getMessage();
        }
        // A Jackson message repeats its location ("at [Source: REDACTED ...]"); we add our own.
        return root instanceof JsonProcessingException
                ? ((JsonProcessingException) root).getOriginalMessage() : String.valueOf(root.getMessage());
    }

    private static String kind(Class<?> type) {
        if (type == null) {
            return "another value";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isEnum()) {
            Object[] values = type.getEnumConstants();
            StringBuilder sb = new StringBuilder("one of ");
            for (int i = 0; i < values.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(values[i]);
            }
            return sb.toString();
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        return "an object (" + type.getSimpleName().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    private static String shown(Object value) {
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }

    private static String token(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "";
        }
        try {
            switch (t) {
                case VALUE_STRING:
                    return "\"" + p.getText() + "\"";
                case VALUE_NUMBER_INT:
                case VALUE_NUMBER_FLOAT:
                case VALUE_TRUE:
                case VALUE_FALSE:
                case VALUE_NULL:
                    return p.getText();
                case START_ARRAY:
                    return "a list";
                case START_OBJECT:
                case FIELD_NAME:
                    return "an object";
                default:
                    return "";
            }
        } catch (IOException e) {
            return "";
        }
    }

    /** The path of the parser's position: {@code jobs[3].resources}. */
    static String path(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray() && c.getCurrentIndex() >= 0) {
                parts.addFirst("[" + c.getCurrentIndex() + "]");
            } else if (c.inObject() && c.getCurrentName() != null) {
                parts.addFirst((parts.isEmpty() ? "" : "") + c.getCurrentName());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            sb.append(sb.length() == 0 || p.startsWith("[") ? "" : ".").append(p);
        }
        return sb.toString();
    }

    static String path(JsonMappingException e) {        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /**
     * Refuses {@code null} wherever it stands, as the fluent API refuses a null argument: Drover never
     * writes one, and a creator could not tell it from a field left out (which takes the default).
     */
    private static final class NoNulls extends JsonParserDelegate {
        NoNulls(JsonParser p) {
            super(p);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken t = super.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                throw new NullValue(this, path(getParsingContext()));
            }
            return t;
        }
    }

    /** A null in a record, with the path where the parser met it. */
    private static final class NullValue extends JsonParseException {
        private static final long serialVersionUID = 1L;
        final String path;

        NullValue(JsonParser p, String path) {
            super(p, "expected a value, got null (leave an optional field out instead)");
            this.path = path;
        }
    }
}
