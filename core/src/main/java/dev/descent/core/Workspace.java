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
 * <p>A caller that knows a tensor is dead before the scope ends — an inference graph after its value's last
 * reader — can give its array back at once with {@link #recycle}, so that the scope holds only the arrays alive
 * together rather than every array it allocated.
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

    /** Arrays the last closed scope gave back, for the open scope's allocations. */
    private final Map<Key, ArrayDeque<Object>> free = new HashMap<>();
    /** Arrays given back early ({@link #recycle}) in the open scope: handed out first, kept when it closes. */
    private final Map<Key, ArrayDeque<Object>> returned = new HashMap<>();
    private final ArrayList<Storage> owned = new ArrayList<>();
    private final Map<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
    private final ArrayList<int[]> ownedInts = new ArrayList<>();
    /** Counts closed scopes: a lease of an int array is valid while it is unchanged. */
    private long generation;
    private Thread owner;
    private long reusedElements, freshElements, heldElements;

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
            heldElements = 0;
            for (Map.Entry<Key, ArrayDeque<Object>> e : returned.entrySet()) {
                free.put(e.getKey(), e.getValue());
                heldElements += (long) e.getKey().size() * e.getValue().size();
            }
            returned.clear();
            for (Storage s : owned) {
                if (s.kept || s.isReleased()) continue; // released: given back early, its array is in free already
                free.computeIfAbsent(new Key(s.dtype(), s.size()), k -> new ArrayDeque<>()).push(s.release());
                heldElements += s.size();
            }
            owned.clear();
            freeInts.clear();
            for (int[] a : ownedInts) freeInts.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            ownedInts.clear();
        }
    }

    /** A storage from a recycled array (zeroed when asked) when one fits, else a fresh one; owned by the open scope. */
    Storage allocate(DType dtype, int size, boolean zero) {
        Key key = new Key(dtype, size);
        ArrayDeque<Object> q = returned.get(key);
        Object array = q == null ? null : q.poll(); // the latest given back: likeliest still in cache
        if (array == null) {
            q = free.get(key);
            array = q == null ? null : q.poll();
        }
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
        s.lender = this;
        owned.add(s);
        return s;
    }

    /**
     * Gives a tensor's array back to the scope open on this thread before the scope closes, for its next allocations
     * of the same dtype and size — when that scope allocated the tensor's storage and nobody kept it; otherwise does
     * nothing. The caller promises that no tensor over that storage (this one, its views, tensors saved for a backward
     * pass) is used again: each later access throws, as after the scope closes.
     *
     * @param t the dead tensor (null: nothing)
     * @return whether its array was given back
     */
    public static boolean recycle(Tensor t) {
        Workspace ws = active();
        if (t == null || ws == null) return false;
        Storage s = t.storage();
        if (s.lender != ws || s.kept || s.isReleased()) return false; // storages of earlier scopes are released or kept
        ws.giveBack(s);
        return true;
    }

    private void giveBack(Storage s) {
        returned.computeIfAbsent(new Key(s.dtype(), s.size()), k -> new ArrayDeque<>()).push(s.release());
    }

    /**
     * How many storages the scope open on this thread has allocated so far (0 without one): a mark for
     * {@link #recycleAllocatedSince}.
     *
     * @return the count
     */
    public static int allocations() {
        Workspace ws = active();
        return ws == null ? 0 : ws.owned.size();
    }

    /**
     * Gives back, as {@link #recycle} does, every storage the open scope allocated after the mark, except those of the
     * live tensors and kept ones: the temporaries of a piece of work made of several ops (an inference graph's node),
     * once only its results are still referenced. The caller promises that no other tensor over those storages is
     * used again.
     *
     * @param mark what {@link #allocations()} returned before the work
     * @param live the results (null elements allowed): their storages stay
     */
    public static void recycleAllocatedSince(int mark, Tensor... live) {
        Workspace ws = active();
        if (ws == null) return;
        outer:
        for (int i = mark; i < ws.owned.size(); i++) {
            Storage s = ws.owned.get(i);
            if (s.kept || s.isReleased()) continue;
            for (Tensor t : live) if (t != null && t.storage() == s) continue outer;
            ws.giveBack(s);
        }
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
     * Elements of the arrays this workspace holds for its next scope: those the last closed scope gave back. When its
     * caller recycled each tensor as it died, that is the most it had in use at once, plus arrays of sizes that no later
     * allocation of the scope asked for.
     *
     * @return the count
     */
    public long heldElements() {
        return heldElements;
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
