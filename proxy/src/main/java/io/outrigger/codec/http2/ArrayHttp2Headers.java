package io.outrigger.codec.http2;

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

/**
 * An HTTP/2 field block built by Outrigger for the encoder (a response, an upstream request, trailers) as one flat
 * array of name/value pairs: pseudo-header fields first, in the order added, then the regular fields in the order added
 * (RFC 9113 §8.3: pseudo-header fields precede regular ones). Netty's {@code DefaultHttp2Headers} builds a hash table,
 * a head entry and one linked entry per field for every block, and hashes each name; HPACK only iterates the block
 * once. Names are compared case-sensitively, as HTTP/2 names are lowercase (RFC 9113 §8.2.1); values are kept as
 * given. No validation, as the {@code DefaultHttp2Headers} it replaces was built without: the names come lowercased
 * by {@code MultiplexedHeaders.copyEndToEnd}, the values from containers that validated them. Lookups cost O(fields);
 * {@code valueIterator} iterates a copy. Not thread-safe: a block belongs to one event loop. The typed accessors
 * and conversions are {@link TypedHttp2Headers}; this class is the store.
 */
public final class ArrayHttp2Headers extends TypedHttp2Headers {
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
    public CharSequence getAndRemove(CharSequence name) {
        CharSequence v = get(name);
        if (v != null) {
            removeAll(name);
        }
        return v;
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

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
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
            entries[last * 2 + 1] = Objects.requireNonNull(value, "value");
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
