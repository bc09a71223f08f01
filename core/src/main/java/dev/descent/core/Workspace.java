package dev.descent.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Reuses the arrays of a repeated piece of work — a training step — instead of allocating them afresh
 * each time. The JVM cannot tell us when a tensor dies, as reference counting tells PyTorch's allocator,
 * so the caller says it: storages allocated on this thread while a scope is open belong to the scope, and
 * when it closes their arrays go back to the workspace, to be handed out again by the next scope's
 * allocations of the same dtype and size.
 *
 * <pre>{@code
 * Workspace ws = new Workspace();
 * for (Batch b : batches) {
 *     try (var _ = ws.open()) {
 *         Tensor loss = Losses.crossEntropy(model.forward(b.x()), b.y());
 *         opt.zeroGrad();
 *         loss.backward();
 *         opt.step();
 *         total += loss.item();          // read results inside the scope
 *     }
 * }
 * }</pre>
 *
 * <p>What survives a scope: everything allocated before it or on other threads; storages smaller than
 * {@link #MIN_ELEMENTS}; gradients stored into leaves ({@link Tensor#setGrad}), parameters, module
 * buffers and optimizer state (they call {@link #keep}); and any tensor the caller passes to
 * {@link #keep}. Everything else allocated in the scope — activations, intermediate gradients, the
 * loss — is recycled when it closes, and a tensor over a recycled storage throws
 * {@link IllegalStateException} on any later access instead of showing another step's numbers. Raw arrays
 * taken from a storage ({@link Storage#floats()}) must not be kept past the scope either.
 *
 * <p>A recycled array is zeroed before it is handed out again, as {@link Storage#allocate} promises, except to
 * ops that write every element ({@link Tensor#empty}). One
 * scope is open per workspace at a time, on one thread; a thread has at most one open scope. After a
 * scope closes, the workspace holds only the arrays that scope gave back: memory stays bounded by one
 * step's worth even when shapes change (the last, smaller batch of an epoch).
 */
public final class Workspace {
    /** Storages of fewer elements than this are allocated normally (tracking them would cost more than it saves). */
    public static final int MIN_ELEMENTS = 1024;

    private static final ThreadLocal<Workspace> ACTIVE = new ThreadLocal<>();
    /** Tests set this: recycled arrays handed out unzeroed are filled with NaN first, so an element an op forgets shows. */
    static volatile boolean poison;

    private record Key(DType dtype, int size) {}

    private final Map<Key, ArrayDeque<Object>> free = new HashMap<>();
    private final ArrayList<Storage> owned = new ArrayList<>();
    private final Map<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
    private final ArrayList<int[]> ownedInts = new ArrayList<>();
    /** Counts closed scopes: a lease of an int array is valid while it is unchanged. */
    private long generation;
    private Thread owner;
    private long reusedElements, freshElements;

    /** An empty workspace: the first scope allocates everything, the following ones reuse it. */
    public Workspace() {}

    /** The workspace with an open scope on the calling thread, or null. */
    static Workspace active() {
        return ACTIVE.get();
    }

    /**
     * Opens a scope on the calling thread: until it closes, storages allocated on this thread come from (and go
     * back to) this workspace.
     *
     * @return the scope, to close (try-with-resources)
     * @throws IllegalStateException when this workspace already has an open scope, or the thread has another
     *         workspace's scope open
     */
    public Scope open() {
        if (owner != null) throw new IllegalStateException("this workspace already has a scope open on thread " + owner.getName());
        if (ACTIVE.get() != null) throw new IllegalStateException("another workspace has a scope open on this thread; scopes do not nest");
        owner = Thread.currentThread();
        ACTIVE.set(this);
        return new Scope();
    }

    /** An open scope of a {@link Workspace}; closing it recycles what it allocated. */
    public final class Scope implements AutoCloseable {
        private boolean closed;

        private Scope() {}

        /**
         * Recycles every storage allocated in the scope that was not kept; tensors over them become unusable.
         *
         * @throws IllegalStateException when called from another thread than the one that opened the scope
         */
        @Override
        public void close() {
            if (closed) return;
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("a workspace scope must be closed on the thread that opened it (" + owner.getName() + ")");
            }
            closed = true;
            ACTIVE.remove();
            owner = null;
            generation++;
            free.clear();
            for (Storage s : owned) {
                if (s.kept) continue;
                free.computeIfAbsent(new Key(s.dtype(), s.size()), k -> new ArrayDeque<>()).push(s.release());
            }
            owned.clear();
            freeInts.clear();
            for (int[] a : ownedInts) freeInts.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            ownedInts.clear();
        }
    }

    /** A storage from a recycled array (zeroed when asked) when one fits, else a fresh one; owned by the open scope. */
    Storage allocate(DType dtype, int size, boolean zero) {
        ArrayDeque<Object> q = free.get(new Key(dtype, size));
        Object array = q == null ? null : q.poll();
        Storage s;
        if (array != null) {
            s = Storage.over(dtype, array);
            if (zero) s.clear();
            else if (poison) s.poison();
            reusedElements += size;
        } else {
            s = Storage.fresh(dtype, size);
            freshElements += size;
        }
        owned.add(s);
        return s;
    }

    /**
     * An int array for state an op saves for its backward (max pooling's argmax positions), outside any tensor:
     * from the open scope's workspace when there is one (recycled when the scope closes), else a new array.
     * Its contents are unspecified: the op must write every element.
     *
     * @param size the number of elements
     * @return the lease; {@link IntLease#array()} checks that the scope has not closed since
     */
    public static IntLease ints(int size) {
        Workspace ws = size >= MIN_ELEMENTS ? active() : null;
        if (ws == null) return new IntLease(new int[size], null, 0);
        ArrayDeque<int[]> q = ws.freeInts.get(size);
        int[] a = q == null ? null : q.poll();
        if (a == null) {
            a = new int[size];
            ws.freshElements += size;
        } else {
            ws.reusedElements += size;
        }
        ws.ownedInts.add(a);
        return new IntLease(a, ws, ws.generation);
    }

    /** An int array lent by {@link #ints}: usable until the scope it came from closes. */
    public static final class IntLease {
        private final int[] array;
        private final Workspace from;
        private final long generation;

        private IntLease(int[] array, Workspace from, long generation) {
            this.array = array;
            this.from = from;
            this.generation = generation;
        }

        /**
         * The array.
         *
         * @return the array
         * @throws IllegalStateException when the workspace scope that lent it has closed (a backward run after
         *         the scope of its forward)
         */
        public int[] array() {
            if (from != null && from.generation != generation) {
                throw new IllegalStateException("state saved for backward was recycled when its Workspace scope closed;"
                        + " run backward inside the scope of the forward pass");
            }
            return array;
        }
    }

    /**
     * Lets a tensor outlive the scope it was allocated in: its storage (shared by all its views) is never
     * recycled. Does nothing for tensors allocated outside any scope.
     *
     * @param t the tensor to keep
     * @param <T> the tensor's type
     * @return {@code t}
     */
    public static <T extends Tensor> T keep(T t) {
        if (t != null) t.storage().kept = true;
        return t;
    }

    /**
     * Elements handed out from recycled arrays since this workspace was made.
     *
     * @return the count over all scopes
     */
    public long reusedElements() {
        return reusedElements;
    }

    /**
     * Elements allocated fresh by this workspace's scopes (arrays it had none of, of that dtype and size).
     *
     * @return the count over all scopes
     */
    public long freshElements() {
        return freshElements;
    }
}
