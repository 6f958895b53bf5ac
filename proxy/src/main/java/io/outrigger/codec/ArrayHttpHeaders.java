package io.outrigger.codec;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The header fields of one message as a flat array of name/value pairs in arrival order — the shape HAProxy and
 * Envoy use: a message carries a dozen fields, and scanning them (length first, then case-insensitive bytes) costs
 * less than Netty's {@code DefaultHttpHeaders}, which builds a 16-slot hash table, a head entry and one linked entry
 * object per field for every message. Names keep the spelling and the object they arrived with (interned
 * {@link AsciiString}s from {@link KnownHeaderNames} stay shared); values are kept as given and converted the way
 * Netty's are ({@code Date} and {@code Calendar} in IMF-fixdate, anything else by {@code toString()}).
 *
 * <p>Validation (RFC 9110 §5.1 names are tokens, §5.5 values have no CR, LF or NUL) is chosen per instance: the
 * HTTP/1.1 decoders use {@link #FIELDS} and {@link #TRAILERS} (trailers also refuse {@code Content-Length},
 * {@code Transfer-Encoding} and {@code Trailer}, RFC 9110 §6.5.1) and reject a bad field with
 * {@link IllegalArgumentException} as Netty's validating headers do; blocks copied from an HTTP/2 or HTTP/3 codec,
 * which validated them already, use {@link #UNVALIDATED}. Lookups cost O(fields); {@link #remove} compacts in place.
 * Not thread-safe: one message belongs to one event loop.
 */
public final class ArrayHttpHeaders extends HttpHeaders {
    /** Validating headers for requests and responses. */
    public static final HttpHeadersFactory FIELDS = factory(HeaderValidation.FIELDS);
    /** Validating trailers (and their empty form). */
    public static final HttpHeadersFactory TRAILERS = factory(HeaderValidation.TRAILER_FIELDS);
    /** Headers without validation, for blocks a multiplexed codec validated already. */
    public static final HttpHeadersFactory UNVALIDATED = factory(HeaderValidation.NONE);

    private static final CharSequence[] EMPTY = new CharSequence[0];
    private static final int FIRST_CAPACITY = 16; // slots: 8 fields before growing

    private final HeaderValidation validation;
    /** {@code entries[2i]}: the i-th name, {@code entries[2i + 1]}: its value. */
    private CharSequence[] entries;
    private int size;

    /** Empty headers; the array is made at the first field. */
    public ArrayHttpHeaders(HeaderValidation validation) {
        this.validation = Objects.requireNonNull(validation, "validation");
        this.entries = EMPTY;
    }

    private ArrayHttpHeaders(ArrayHttpHeaders from) {
        this.validation = from.validation;
        this.entries = from.size == 0 ? EMPTY : Arrays.copyOf(from.entries, from.size * 2);
        this.size = from.size;
    }

    private static HttpHeadersFactory factory(HeaderValidation validation) {
        return new HttpHeadersFactory() {
            @Override
            public HttpHeaders newHeaders() {
                return new ArrayHttpHeaders(validation);
            }

            @Override
            public HttpHeaders newEmptyHeaders() {
                return new ArrayHttpHeaders(validation); // the array is made at the first field either way
            }
        };
    }

    /** The i-th field's name, {@code 0 <= i < size()}, as received or added. */
    public CharSequence nameAt(int i) {
        return entries[Objects.checkIndex(i, size) * 2];
    }

    /** The i-th field's value, {@code 0 <= i < size()}. */
    public CharSequence valueAt(int i) {
        return entries[Objects.checkIndex(i, size) * 2 + 1];
    }

    private int indexOf(CharSequence name, int from) {
        for (int i = from * 2, end = size * 2; i < end; i += 2) {
            if (sameName(entries[i], name)) {
                return i / 2;
            }
        }
        return -1;
    }

    /** How many fields are named {@code name} (without case); allocates nothing, unlike {@code getAll(name).size()}. */
    public int count(CharSequence name) {
        int n = 0;
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            n++;
        }
        return n;
    }

    /** How many fields of {@code headers} are named {@code name}: without a list for {@link ArrayHttpHeaders}. */
    public static int count(HttpHeaders headers, CharSequence name) {
        return headers instanceof ArrayHttpHeaders a ? a.count(name) : headers.getAll(name).size();
    }

    /** Field names compare without case (RFC 9110 §5.1); the length first, the same object at once. */
    private static boolean sameName(CharSequence a, CharSequence b) {
        return a == b || a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b);
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : entries[i * 2 + 1].toString();
    }

    @Override
    public Integer getInt(CharSequence name) {
        String v = get(name);
        try {
            return v == null ? null : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        String v = get(name);
        try {
            return v == null ? null : Short.parseShort(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        String v = get(name);
        Date d = v == null ? null : DateFormatter.parseHttpDate(v);
        return d == null ? null : d.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    /** The values of {@code name} in order: an immutable empty or one-element list in the usual cases. */
    @Override
    public List<String> getAll(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) {
            return Collections.emptyList();
        }
        int next = indexOf(name, i + 1);
        if (next < 0) {
            return Collections.singletonList(entries[i * 2 + 1].toString());
        }
        List<String> all = new ArrayList<>(4);
        for (; i >= 0; i = indexOf(name, i + 1)) {
            all.add(entries[i * 2 + 1].toString());
        }
        return all;
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(new AbstractMap.SimpleImmutableEntry<>(entries[2 * i].toString(), entries[2 * i + 1].toString()));
        }
        return all;
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    /** Whether a field {@code name} has exactly {@code value} (not split at commas), as Netty's headers answer. */
    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = entries[i * 2 + 1];
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    /** Whether a field {@code name} has {@code value} as one of its comma-separated, trimmed elements. */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = entries[i * 2 + 1];
            for (int start = 0, n = v.length(); start <= n; ) {
                int comma = AsciiString.indexOf(v, ',', start);
                int end = comma < 0 ? n : comma;
                if (elementEquals(v, start, end, value, ignoreCase)) {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    /** Whether {@code v[start, end)} without surrounding spaces and tabs is {@code value}; allocates nothing. */
    private static boolean elementEquals(CharSequence v, int start, int end, CharSequence value, boolean ignoreCase) {
        while (start < end && (v.charAt(start) == ' ' || v.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (v.charAt(end - 1) == ' ' || v.charAt(end - 1) == '\t')) {
            end--;
        }
        if (end - start != value.length()) {
            return false;
        }
        for (int i = 0; i < end - start; i++) {
            char a = v.charAt(start + i);
            char b = value.charAt(i);
            if (a != b && !(ignoreCase && fold(a) == fold(b))) {
                return false;
            }
        }
        return true;
    }

    private static char fold(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return new EntryIterator<>(CharSequence::toString);
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new EntryIterator<>(Function.identity());
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            names.add(entries[2 * i].toString());
        }
        return names;
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    /** @throws IllegalArgumentException when this instance validates and the name or value is not allowed */
    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        append(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        for (Object v : values) {
            append(name, v);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence v = value(name, value); // validated before anything is removed
        remove(name);
        store(name, v);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) {
            return this;
        }
        int kept = i * 2;
        for (int j = kept, end = size * 2; j < end; j += 2) {
            if (!sameName(entries[j], name)) {
                entries[kept++] = entries[j];
                entries[kept++] = entries[j + 1];
            }
        }
        Arrays.fill(entries, kept, size * 2, null);
        size = kept / 2;
        return this;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(entries, 0, size * 2, null);
        size = 0;
        return this;
    }

    @Override
    public HttpHeaders copy() {
        return new ArrayHttpHeaders(this);
    }

    private void append(CharSequence name, Object value) {
        store(name, value(name, value));
    }

    /** Appends a field whose value {@link #value} converted and validated already. */
    private void store(CharSequence name, CharSequence v) {
        if (size * 2 == entries.length) {
            entries = Arrays.copyOf(entries, Math.max(FIRST_CAPACITY, entries.length * 2));
        }
        entries[size * 2] = name;
        entries[size * 2 + 1] = v;
        size++;
    }

    /** The value as stored, after the name and value were validated. */
    private CharSequence value(CharSequence name, Object value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        CharSequence v = value instanceof CharSequence cs ? cs
                : value instanceof Date d ? DateFormatter.format(d)
                : value instanceof Calendar c ? DateFormatter.format(c.getTime())
                : value.toString();
        validation.validate(name, v);
        return v;
    }

    /** Entries in order, made per step; {@code remove()} removes the field last returned. */
    private final class EntryIterator<T> implements Iterator<Map.Entry<T, T>> {
        private final Function<CharSequence, T> as;
        private int next;
        private int last = -1;

        EntryIterator(Function<CharSequence, T> as) {
            this.as = as;
        }

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<T, T> next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            last = next++;
            return new AbstractMap.SimpleImmutableEntry<>(as.apply(entries[2 * last]), as.apply(entries[2 * last + 1]));
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException();
            }
            System.arraycopy(entries, 2 * last + 2, entries, 2 * last, (size - last - 1) * 2);
            size--;
            entries[2 * size] = null;
            entries[2 * size + 1] = null;
            next = last;
            last = -1;
        }
    }
}
