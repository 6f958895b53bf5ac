package io.outrigger.codec.http2;

import io.netty.handler.codec.CharSequenceValueConverter;
import io.netty.handler.codec.Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * An HTTP/2 field block built by Outrigger for the encoder (a response, an upstream request, trailers) as one flat
 * array of name/value pairs: pseudo-header fields first, in the order added, then the regular fields in the order added
 * (RFC 9113 §8.3: pseudo-header fields precede regular ones). Netty's {@code DefaultHttp2Headers} builds a hash table,
 * a head entry and one linked entry per field for every block, and hashes each name; HPACK only iterates the block
 * once. Names are compared case-sensitively, as HTTP/2 names are lowercase (RFC 9113 §8.2.1); values are kept as
 * given. No validation, as the {@code DefaultHttp2Headers} it replaces was built without: the names come lowercased
 * by {@code MultiplexedHeaders.copyEndToEnd}, the values from containers that validated them. Lookups cost O(fields);
 * {@code valueIterator} iterates a copy. Not thread-safe: a block belongs to one event loop.
 */
public final class ArrayHttp2Headers implements Http2Headers {
    private static final CharSequenceValueConverter CONVERT = CharSequenceValueConverter.INSTANCE;

    /** {@code entries[2i]}: the i-th name, {@code entries[2i + 1]}: its value. */
    private CharSequence[] entries;
    private int size;
    /** Fields {@code [0, pseudo)} are pseudo-header fields. */
    private int pseudo;

    /** @param capacity fields expected (the array grows past it) */
    public ArrayHttp2Headers(int capacity) {
        entries = new CharSequence[Math.max(2, capacity) * 2];
    }

    /** The i-th field's name, {@code 0 <= i < size()}: pseudo-header fields first. */
    public CharSequence nameAt(int i) {
        return entries[Objects.checkIndex(i, size) * 2];
    }

    /** The i-th field's value, {@code 0 <= i < size()}. */
    public CharSequence valueAt(int i) {
        return entries[Objects.checkIndex(i, size) * 2 + 1];
    }

    private static boolean isPseudo(CharSequence name) {
        return name.length() > 0 && name.charAt(0) == ':';
    }

    private static boolean sameName(CharSequence a, CharSequence b) {
        return a == b || a.length() == b.length() && AsciiString.contentEquals(a, b);
    }

    private int indexOf(CharSequence name, int from) {
        for (int i = from * 2, end = size * 2; i < end; i += 2) {
            if (sameName(entries[i], name)) {
                return i / 2;
            }
        }
        return -1;
    }

    private void append(CharSequence name, CharSequence value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (size * 2 == entries.length) {
            entries = Arrays.copyOf(entries, entries.length * 2);
        }
        if (isPseudo(name)) {
            // after the last pseudo-header field: shift the regular fields up by one
            System.arraycopy(entries, pseudo * 2, entries, pseudo * 2 + 2, (size - pseudo) * 2);
            entries[pseudo * 2] = name;
            entries[pseudo * 2 + 1] = value;
            pseudo++;
        } else {
            entries[size * 2] = name;
            entries[size * 2 + 1] = value;
        }
        size++;
    }

    private int removeAll(CharSequence name) {
        int kept = 0;
        int removedPseudo = 0;
        for (int i = 0; i < size; i++) {
            if (sameName(entries[i * 2], name)) {
                if (i < pseudo) {
                    removedPseudo++;
                }
                continue;
            }
            entries[kept * 2] = entries[i * 2];
            entries[kept * 2 + 1] = entries[i * 2 + 1];
            kept++;
        }
        int removed = size - kept;
        Arrays.fill(entries, kept * 2, size * 2, null);
        size = kept;
        pseudo -= removedPseudo;
        return removed;
    }

    // --- reads ---

    @Override
    public CharSequence get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : entries[i * 2 + 1];
    }

    @Override
    public CharSequence get(CharSequence name, CharSequence defaultValue) {
        CharSequence v = get(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public CharSequence getAndRemove(CharSequence name) {
        CharSequence v = get(name);
        if (v != null) {
            removeAll(name);
        }
        return v;
    }

    @Override
    public CharSequence getAndRemove(CharSequence name, CharSequence defaultValue) {
        CharSequence v = getAndRemove(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<CharSequence> getAll(CharSequence name) {
        List<CharSequence> out = new ArrayList<>(2);
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            out.add(entries[i * 2 + 1]);
        }
        return out;
    }

    @Override
    public List<CharSequence> getAllAndRemove(CharSequence name) {
        List<CharSequence> out = getAll(name);
        removeAll(name);
        return out;
    }

    private <T> T typed(CharSequence name, Function<CharSequence, T> convert) {
        CharSequence v = get(name);
        if (v == null) {
            return null;
        }
        try {
            return convert.apply(v);
        } catch (RuntimeException e) {
            return null; // as Netty's headers: an unconvertible value reads as absent
        }
    }

    private <T> T typedAndRemove(CharSequence name, Function<CharSequence, T> convert) {
        T v = typed(name, convert);
        removeAll(name);
        return v;
    }

    private static <T> T orElse(T v, T defaultValue) {
        return v == null ? defaultValue : v;
    }

    @Override
    public Boolean getBoolean(CharSequence name) {
        return typed(name, CONVERT::convertToBoolean);
    }

    @Override
    public boolean getBoolean(CharSequence name, boolean defaultValue) {
        return orElse(getBoolean(name), defaultValue);
    }

    @Override
    public Byte getByte(CharSequence name) {
        return typed(name, CONVERT::convertToByte);
    }

    @Override
    public byte getByte(CharSequence name, byte defaultValue) {
        return orElse(getByte(name), defaultValue);
    }

    @Override
    public Character getChar(CharSequence name) {
        return typed(name, CONVERT::convertToChar);
    }

    @Override
    public char getChar(CharSequence name, char defaultValue) {
        return orElse(getChar(name), defaultValue);
    }

    @Override
    public Short getShort(CharSequence name) {
        return typed(name, CONVERT::convertToShort);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        return orElse(getShort(name), defaultValue);
    }

    @Override
    public Integer getInt(CharSequence name) {
        return typed(name, CONVERT::convertToInt);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        return orElse(getInt(name), defaultValue);
    }

    @Override
    public Long getLong(CharSequence name) {
        return typed(name, CONVERT::convertToLong);
    }

    @Override
    public long getLong(CharSequence name, long defaultValue) {
        return orElse(getLong(name), defaultValue);
    }

    @Override
    public Float getFloat(CharSequence name) {
        return typed(name, CONVERT::convertToFloat);
    }

    @Override
    public float getFloat(CharSequence name, float defaultValue) {
        return orElse(getFloat(name), defaultValue);
    }

    @Override
    public Double getDouble(CharSequence name) {
        return typed(name, CONVERT::convertToDouble);
    }

    @Override
    public double getDouble(CharSequence name, double defaultValue) {
        return orElse(getDouble(name), defaultValue);
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return typed(name, CONVERT::convertToTimeMillis);
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        return orElse(getTimeMillis(name), defaultValue);
    }

    @Override
    public Boolean getBooleanAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToBoolean);
    }

    @Override
    public boolean getBooleanAndRemove(CharSequence name, boolean defaultValue) {
        return orElse(getBooleanAndRemove(name), defaultValue);
    }

    @Override
    public Byte getByteAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToByte);
    }

    @Override
    public byte getByteAndRemove(CharSequence name, byte defaultValue) {
        return orElse(getByteAndRemove(name), defaultValue);
    }

    @Override
    public Character getCharAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToChar);
    }

    @Override
    public char getCharAndRemove(CharSequence name, char defaultValue) {
        return orElse(getCharAndRemove(name), defaultValue);
    }

    @Override
    public Short getShortAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToShort);
    }

    @Override
    public short getShortAndRemove(CharSequence name, short defaultValue) {
        return orElse(getShortAndRemove(name), defaultValue);
    }

    @Override
    public Integer getIntAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToInt);
    }

    @Override
    public int getIntAndRemove(CharSequence name, int defaultValue) {
        return orElse(getIntAndRemove(name), defaultValue);
    }

    @Override
    public Long getLongAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToLong);
    }

    @Override
    public long getLongAndRemove(CharSequence name, long defaultValue) {
        return orElse(getLongAndRemove(name), defaultValue);
    }

    @Override
    public Float getFloatAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToFloat);
    }

    @Override
    public float getFloatAndRemove(CharSequence name, float defaultValue) {
        return orElse(getFloatAndRemove(name), defaultValue);
    }

    @Override
    public Double getDoubleAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToDouble);
    }

    @Override
    public double getDoubleAndRemove(CharSequence name, double defaultValue) {
        return orElse(getDoubleAndRemove(name), defaultValue);
    }

    @Override
    public Long getTimeMillisAndRemove(CharSequence name) {
        return typedAndRemove(name, CONVERT::convertToTimeMillis);
    }

    @Override
    public long getTimeMillisAndRemove(CharSequence name, long defaultValue) {
        return orElse(getTimeMillisAndRemove(name), defaultValue);
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value) {
        return contains(name, value, false);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean caseInsensitive) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = entries[i * 2 + 1];
            if (caseInsensitive ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean containsObject(CharSequence name, Object value) {
        return contains(name, CONVERT.convertObject(value));
    }

    @Override
    public boolean containsBoolean(CharSequence name, boolean value) {
        return contains(name, CONVERT.convertBoolean(value));
    }

    @Override
    public boolean containsByte(CharSequence name, byte value) {
        return contains(name, CONVERT.convertByte(value));
    }

    @Override
    public boolean containsChar(CharSequence name, char value) {
        return contains(name, CONVERT.convertChar(value));
    }

    @Override
    public boolean containsShort(CharSequence name, short value) {
        return contains(name, CONVERT.convertShort(value));
    }

    @Override
    public boolean containsInt(CharSequence name, int value) {
        return contains(name, CONVERT.convertInt(value));
    }

    @Override
    public boolean containsLong(CharSequence name, long value) {
        return contains(name, CONVERT.convertLong(value));
    }

    @Override
    public boolean containsFloat(CharSequence name, float value) {
        return contains(name, CONVERT.convertFloat(value));
    }

    @Override
    public boolean containsDouble(CharSequence name, double value) {
        return contains(name, CONVERT.convertDouble(value));
    }

    @Override
    public boolean containsTimeMillis(CharSequence name, long value) {
        return contains(name, CONVERT.convertTimeMillis(value));
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Set<CharSequence> names() {
        Set<CharSequence> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            names.add(entries[i * 2]);
        }
        return Collections.unmodifiableSet(names);
    }

    // --- writes ---

    @Override
    public Http2Headers add(CharSequence name, CharSequence value) {
        append(name, value);
        return this;
    }

    @Override
    public Http2Headers add(CharSequence name, Iterable<? extends CharSequence> values) {
        for (CharSequence v : values) {
            append(name, v);
        }
        return this;
    }

    @Override
    public Http2Headers add(CharSequence name, CharSequence... values) {
        return add(name, Arrays.asList(values));
    }

    @Override
    public Http2Headers addObject(CharSequence name, Object value) {
        append(name, CONVERT.convertObject(Objects.requireNonNull(value, "value")));
        return this;
    }

    @Override
    public Http2Headers addObject(CharSequence name, Iterable<?> values) {
        for (Object v : values) {
            addObject(name, v);
        }
        return this;
    }

    @Override
    public Http2Headers addObject(CharSequence name, Object... values) {
        return addObject(name, Arrays.asList(values));
    }

    @Override
    public Http2Headers addBoolean(CharSequence name, boolean value) {
        return add(name, CONVERT.convertBoolean(value));
    }

    @Override
    public Http2Headers addByte(CharSequence name, byte value) {
        return add(name, CONVERT.convertByte(value));
    }

    @Override
    public Http2Headers addChar(CharSequence name, char value) {
        return add(name, CONVERT.convertChar(value));
    }

    @Override
    public Http2Headers addShort(CharSequence name, short value) {
        return add(name, CONVERT.convertShort(value));
    }

    @Override
    public Http2Headers addInt(CharSequence name, int value) {
        return add(name, CONVERT.convertInt(value));
    }

    @Override
    public Http2Headers addLong(CharSequence name, long value) {
        return add(name, CONVERT.convertLong(value));
    }

    @Override
    public Http2Headers addFloat(CharSequence name, float value) {
        return add(name, CONVERT.convertFloat(value));
    }

    @Override
    public Http2Headers addDouble(CharSequence name, double value) {
        return add(name, CONVERT.convertDouble(value));
    }

    @Override
    public Http2Headers addTimeMillis(CharSequence name, long value) {
        return add(name, CONVERT.convertTimeMillis(value));
    }

    @Override
    public Http2Headers add(Headers<? extends CharSequence, ? extends CharSequence, ?> headers) {
        if (headers == this) {
            throw new IllegalArgumentException("can't add to itself");
        }
        for (Map.Entry<? extends CharSequence, ? extends CharSequence> e : headers) {
            append(e.getKey(), e.getValue());
        }
        return this;
    }

    @Override
    public Http2Headers set(CharSequence name, CharSequence value) {
        Objects.requireNonNull(value, "value");
        removeAll(name);
        append(name, value);
        return this;
    }

    @Override
    public Http2Headers set(CharSequence name, Iterable<? extends CharSequence> values) {
        removeAll(name);
        return add(name, values);
    }

    @Override
    public Http2Headers set(CharSequence name, CharSequence... values) {
        removeAll(name);
        return add(name, values);
    }

    @Override
    public Http2Headers setObject(CharSequence name, Object value) {
        return set(name, CONVERT.convertObject(Objects.requireNonNull(value, "value")));
    }

    @Override
    public Http2Headers setObject(CharSequence name, Iterable<?> values) {
        removeAll(name);
        return addObject(name, values);
    }

    @Override
    public Http2Headers setObject(CharSequence name, Object... values) {
        removeAll(name);
        return addObject(name, values);
    }

    @Override
    public Http2Headers setBoolean(CharSequence name, boolean value) {
        return set(name, CONVERT.convertBoolean(value));
    }

    @Override
    public Http2Headers setByte(CharSequence name, byte value) {
        return set(name, CONVERT.convertByte(value));
    }

    @Override
    public Http2Headers setChar(CharSequence name, char value) {
        return set(name, CONVERT.convertChar(value));
    }

    @Override
    public Http2Headers setShort(CharSequence name, short value) {
        return set(name, CONVERT.convertShort(value));
    }

    @Override
    public Http2Headers setInt(CharSequence name, int value) {
        return set(name, CONVERT.convertInt(value));
    }

    @Override
    public Http2Headers setLong(CharSequence name, long value) {
        return set(name, CONVERT.convertLong(value));
    }

    @Override
    public Http2Headers setFloat(CharSequence name, float value) {
        return set(name, CONVERT.convertFloat(value));
    }

    @Override
    public Http2Headers setDouble(CharSequence name, double value) {
        return set(name, CONVERT.convertDouble(value));
    }

    @Override
    public Http2Headers setTimeMillis(CharSequence name, long value) {
        return set(name, CONVERT.convertTimeMillis(value));
    }

    @Override
    public Http2Headers set(Headers<? extends CharSequence, ? extends CharSequence, ?> headers) {
        if (headers != this) {
            clear();
            add(headers);
        }
        return this;
    }

    @Override
    public Http2Headers setAll(Headers<? extends CharSequence, ? extends CharSequence, ?> headers) {
        if (headers != this) {
            for (CharSequence name : headers.names()) {
                removeAll(name);
            }
            add(headers);
        }
        return this;
    }

    @Override
    public boolean remove(CharSequence name) {
        return removeAll(name) > 0;
    }

    @Override
    public Http2Headers clear() {
        Arrays.fill(entries, 0, size * 2, null);
        size = 0;
        pseudo = 0;
        return this;
    }

    // --- pseudo-header fields (RFC 9113 §8.3) ---

    @Override
    public Http2Headers method(CharSequence value) {
        return set(PseudoHeaderName.METHOD.value(), value);
    }

    @Override
    public Http2Headers scheme(CharSequence value) {
        return set(PseudoHeaderName.SCHEME.value(), value);
    }

    @Override
    public Http2Headers authority(CharSequence value) {
        return set(PseudoHeaderName.AUTHORITY.value(), value);
    }

    @Override
    public Http2Headers path(CharSequence value) {
        return set(PseudoHeaderName.PATH.value(), value);
    }

    @Override
    public Http2Headers status(CharSequence value) {
        return set(PseudoHeaderName.STATUS.value(), value);
    }

    @Override
    public CharSequence method() {
        return get(PseudoHeaderName.METHOD.value());
    }

    @Override
    public CharSequence scheme() {
        return get(PseudoHeaderName.SCHEME.value());
    }

    @Override
    public CharSequence authority() {
        return get(PseudoHeaderName.AUTHORITY.value());
    }

    @Override
    public CharSequence path() {
        return get(PseudoHeaderName.PATH.value());
    }

    @Override
    public CharSequence status() {
        return get(PseudoHeaderName.STATUS.value());
    }

    // --- iteration ---

    /**
     * The fields in block order; {@code remove()} removes the last field returned. As Netty's
     * {@code ReadOnlyHttp2Headers}, the iterator is its own entry: each {@code next()} returns the same object moved to
     * the next field (no entry allocated per field when HPACK encodes the block), so an entry is read before the next
     * call, not kept.
     */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iterator() {
        return new FieldIterator();
    }

    private final class FieldIterator implements Iterator<Map.Entry<CharSequence, CharSequence>>,
            Map.Entry<CharSequence, CharSequence> {
        private int next;
        private int last = -1;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<CharSequence, CharSequence> next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            last = next++;
            return this;
        }

        @Override
        public CharSequence getKey() {
            return entries[last * 2];
        }

        @Override
        public CharSequence getValue() {
            return entries[last * 2 + 1];
        }

        /** Replaces the value of the field last returned (not validated, as nothing here is); returns the old one. */
        @Override
        public CharSequence setValue(CharSequence value) {
            if (last < 0) {
                throw new IllegalStateException("no field: next() not called, or the field was removed");
            }
            CharSequence old = entries[last * 2 + 1];
            entries[last * 2 + 1] = java.util.Objects.requireNonNull(value, "value");
            return old;
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException();
            }
            System.arraycopy(entries, last * 2 + 2, entries, last * 2, (size - last - 1) * 2);
            size--;
            entries[size * 2] = null;
            entries[size * 2 + 1] = null;
            if (last < pseudo) {
                pseudo--;
            }
            next = last;
            last = -1;
        }

        @Override
        public String toString() {
            return getKey() + "=" + getValue();
        }
    }

    @Override
    public Iterator<CharSequence> valueIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ArrayHttp2Headers[");
        for (int i = 0; i < size; i++) {
            b.append(i == 0 ? "" : ", ").append(entries[i * 2]).append(": ").append(entries[i * 2 + 1]);
        }
        return b.append(']').toString();
    }
}
