/* smsguard_plugins._cevidence, third part: reading hits, binding the arguments of the functions that take
 * keywords, and the proximity tests of plugins/_cues.py (HitIndex and its look-ups, near, cue_before,
 * cue_after). An index of plain TermHits keeps each hit with its start and end as numbers, sorted by start as
 * the reference sorts them (stably); an index of anything else is the reference's own HitIndex, so the cues
 * handed one go to their references too. See evidence.h for the rules all parts follow.
 */
#include "evidence.h"

#include <stddef.h>

/* ---- reading hits ---- */

void
ev_free_hits(ev_hits *hs)
{
    for (Py_ssize_t i = 0; hs->held && i < hs->n; i++) {
        Py_DECREF(hs->hits[i].hit);
    }
    if (hs->hits != hs->small) {
        PyMem_Free(hs->hits);
    }
    hs->hits = hs->small;
    hs->n = hs->held = 0;
    Py_CLEAR(hs->snapshot);
}

/* The hits of an exact list or tuple, all plain TermHits: 1; 0 when they are not (nothing to free); -1 with an
 * exception set. A tuple holds its hits; a short list's are read at once and each held (cheaper than a copy),
 * a long list is copied to a tuple first. */
int
ev_read_hits(PyObject *seq, ev_hits *hs)
{
    hs->snapshot = NULL;
    hs->hits = hs->small;
    hs->n = hs->held = 0;
    if (PyList_CheckExact(seq) && PyList_GET_SIZE(seq) <= EV_SMALL) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(seq); i++) {
            if (!ev_read_hit(PyList_GET_ITEM(seq, i), &hs->hits[i])) {
                return 0;
            }
        }
        hs->n = PyList_GET_SIZE(seq);
        for (Py_ssize_t i = 0; i < hs->n; i++) {
            Py_INCREF(hs->hits[i].hit);
        }
        hs->held = 1;
        return 1;
    }
    if (PyTuple_CheckExact(seq)) {
        hs->snapshot = Py_NewRef(seq);
    }
    else if (PyList_CheckExact(seq)) {
        if ((hs->snapshot = PyList_AsTuple(seq)) == NULL) {
            return -1;
        }
    }
    else {
        return 0;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(hs->snapshot);
    if (n > EV_SMALL && (hs->hits = PyMem_New(ev_hit, n)) == NULL) {
        hs->hits = hs->small;
        Py_CLEAR(hs->snapshot);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!ev_read_hit(PyTuple_GET_ITEM(hs->snapshot, i), &hs->hits[i])) {
            ev_free_hits(hs);
            return 0;
        }
    }
    hs->n = n;
    return 1;
}

/* ---- binding arguments ---- */

PyObject *ev_make_signal_parameters[N_MAKE_SIGNAL_PARAMETERS];
PyObject *ev_span_signal_parameters[N_SPAN_SIGNAL_PARAMETERS];
PyObject *ev_cue_parameters[N_CUE_PARAMETERS];
PyObject *ev_near_parameters[N_CUE_PARAMETERS];
static const struct {
    PyObject **names;
    int count;
    const char *spelled[N_MAKE_SIGNAL_PARAMETERS];
} PARAMETERS[] = {
    {ev_make_signal_parameters, N_MAKE_SIGNAL_PARAMETERS,
     {"name", "ntext", "hits", "value", "confidence", "nspans", "detail"}},
    {ev_span_signal_parameters, N_SPAN_SIGNAL_PARAMETERS, {"name", "ntext", "nspan", "value", "detail"}},
    {ev_cue_parameters, N_CUE_PARAMETERS, {"text", "cues", "hit", "within", "clause"}},
    {ev_near_parameters, N_CUE_PARAMETERS, {"text", "a", "b", "within", "clause"}},
};

int
ev_keyword_indexes(PyObject *kwnames, PyObject *const *names, int count, int *index)
{
    Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
    if (nkw > count) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, i);
        int k = 0;
        while (k < count && key != names[k]) {
            k++;
        }
        if (k == count) {   /* a name not interned (from **kwargs, or built in C): the strs' hashes are kept */
            if (!PyUnicode_CheckExact(key)) {
                return 0;
            }
            Py_hash_t hash = PyObject_Hash(key);
            k = 0;
            while (k < count && (hash != PyObject_Hash(names[k]) || PyUnicode_Compare(key, names[k]) != 0)) {
                k++;
            }
        }
        for (Py_ssize_t j = 0; j < i; j++) {
            if (index[j] == k) {
                return 0;
            }
        }
        if (k == count) {
            return 0;
        }
        index[i] = k;
    }
    return 1;
}

int
ev_bind_arguments(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject *const *names, int count,
                  PyObject **out)
{
    int index[N_MAKE_SIGNAL_PARAMETERS];    /* the longest parameter list of the helpers */
    if (count > N_MAKE_SIGNAL_PARAMETERS || nargs > count
        || (kwnames != NULL && !ev_keyword_indexes(kwnames, names, count, index))) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) {
        out[i] = args[i];
    }
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t i = 0; i < nkw; i++) {
        if (out[index[i]] != NULL) {
            return 0;
        }
        out[index[i]] = args[nargs + i];
    }
    return 1;
}

int
ev_intern_parameters(void)
{
    for (size_t f = 0; f < sizeof(PARAMETERS) / sizeof(PARAMETERS[0]); f++) {
        for (int i = 0; i < PARAMETERS[f].count; i++) {
            if ((PARAMETERS[f].names[i] = PyUnicode_InternFromString(PARAMETERS[f].spelled[i])) == NULL) {
                return -1;
            }
        }
    }
    return 0;
}

/* ---- the index ---- */

typedef struct {
    PyObject *hit;
    Py_ssize_t start, end;
} ix_item;

typedef struct {
    PyObject_VAR_HEAD
    Py_ssize_t longest;     /* max(h.end - h.start), 0 for no hits */
    ix_item items[1];
} HitIndexObject;

#define INDEX_OF(o) ((HitIndexObject *)(o))

/* A TermHit with exact int start and end in range: what the look-ups and cues read of a hit. */
static int
read_span(PyObject *h, Py_ssize_t *start, Py_ssize_t *end)
{
    return Py_TYPE(h) == EV.hit_type && PyTuple_GET_SIZE(h) == 4 && ev_as_index(PyTuple_GET_ITEM(h, 1), start)
           && ev_as_index(PyTuple_GET_ITEM(h, 2), end);
}

/* An exact int (of either sign) small enough that sums with a hit's offsets stay in range. */
static int
as_offset(PyObject *o, Py_ssize_t *out)
{
    if (ev_as_index(o, out)) {
        return 1;
    }
    if (!PyLong_CheckExact(o)) {
        return 0;
    }
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow || v < -(PY_SSIZE_T_MAX / 4) || v > PY_SSIZE_T_MAX / 4) {
        return 0;
    }
    *out = (Py_ssize_t)v;
    return 1;
}

static int
by_start_then_order(const void *x, const void *y)
{
    const ev_pair *p = x, *q = y;   /* (start, position in the input) */
    if (p->a != q->a) {
        return p->a < q->a ? -1 : 1;
    }
    return (p->b > q->b) - (p->b < q->b);
}

/* The index of the n items of an exact list or tuple, all plain hits; FALLBACK when one is not. Reads the items
 * once the index is allocated, so nothing runs while they are read. */
static PyObject *
index_of(PyObject *seq)
{
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    HitIndexObject *ix = PyObject_GC_NewVar(HitIndexObject, &ev_hit_index_type, n);
    ev_pair small[EV_SMALL], *order = small;
    if (ix == NULL) {
        return NULL;
    }
    Py_SET_SIZE(ix, 0);
    if (n != PySequence_Fast_GET_SIZE(seq)) {   /* the collector ran and changed the list */
        Py_DECREF(ix);
        return FALLBACK;
    }
    int sorted = 1;
    ix->longest = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        ix_item *it = &ix->items[i];
        it->hit = PySequence_Fast_GET_ITEM(seq, i);
        if (!read_span(it->hit, &it->start, &it->end)) {
            Py_DECREF(ix);
            return FALLBACK;
        }
        sorted &= i == 0 || it[-1].start <= it->start;
        ix->longest = i == 0 || it->end - it->start > ix->longest ? it->end - it->start : ix->longest;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_INCREF(ix->items[i].hit);
    }
    Py_SET_SIZE(ix, n);
    if (!sorted) {
        /* sorted(hits, key=start) is stable: sort (start, position) pairs, then place the items */
        ix_item *copy = PyMem_New(ix_item, n);
        order = n <= EV_SMALL ? small : PyMem_New(ev_pair, n);
        if (copy == NULL || order == NULL) {
            PyMem_Free(copy);
            if (order != small) {
                PyMem_Free(order);
            }
            Py_DECREF(ix);
            return PyErr_NoMemory();
        }
        memcpy(copy, ix->items, (size_t)n * sizeof(ix_item));
        for (Py_ssize_t i = 0; i < n; i++) {
            order[i] = (ev_pair){copy[i].start, i};
        }
        qsort(order, (size_t)n, sizeof(ev_pair), by_start_then_order);
        for (Py_ssize_t i = 0; i < n; i++) {
            ix->items[i] = copy[order[i].b];
        }
        PyMem_Free(copy);
        if (order != small) {
            PyMem_Free(order);
        }
    }
    PyObject_GC_Track(ix);
    return (PyObject *)ix;
}

/* HitIndex(hits): hits read as sorted() reads them (list(hits) first); the reference's index when not plain */
static PyObject *
hit_index_new(PyObject *hits)
{
    PyObject *seq = PyList_CheckExact(hits) || PyTuple_CheckExact(hits) ? Py_NewRef(hits) : PySequence_List(hits);
    if (seq == NULL) {
        return NULL;
    }
    PyObject *ix = index_of(seq);
    if (ix == FALLBACK) {
        ix = ev_call_reference(REF_HIT_INDEX, &seq, 1, NULL);
    }
    Py_DECREF(seq);
    return ix;
}

static PyObject *
hit_index_vectorcall(PyObject *type, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (!EV.bound || nargs != 1 || kwnames != NULL) {
        return ev_call_reference(REF_HIT_INDEX, args, nargs, kwnames);
    }
    return hit_index_new(args[0]);
}

static PyObject *
hit_index_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    if (!EV.bound || PyTuple_GET_SIZE(args) != 1 || (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0)) {
        PyObject *ref = EV.refs[REF_HIT_INDEX];
        return ref == NULL ? ev_call_reference(REF_HIT_INDEX, NULL, 0, NULL) : PyObject_Call(ref, args, kwargs);
    }
    return hit_index_new(PyTuple_GET_ITEM(args, 0));
}

static int
hit_index_traverse(PyObject *self, visitproc visit, void *arg)
{
    for (Py_ssize_t i = 0; i < Py_SIZE(self); i++) {
        Py_VISIT(INDEX_OF(self)->items[i].hit);
    }
    return 0;
}

static int
hit_index_clear(PyObject *self)
{
    Py_ssize_t n = Py_SIZE(self);
    Py_SET_SIZE(self, 0);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_CLEAR(INDEX_OF(self)->items[i].hit);
    }
    return 0;
}

static void
hit_index_dealloc(PyObject *self)
{
    PyObject_GC_UnTrack(self);
    Py_TRASHCAN_BEGIN(self, hit_index_dealloc)
    hit_index_clear(self);
    Py_TYPE(self)->tp_free(self);
    Py_TRASHCAN_END
}

static int
hit_index_bool(PyObject *self)
{
    return Py_SIZE(self) > 0;
}

/* bisect_left (right) of x in the starts */
static Py_ssize_t
bisect(const HitIndexObject *ix, Py_ssize_t x, int right)
{
    Py_ssize_t lo = 0, hi = Py_SIZE(ix);
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (right ? x < ix->items[mid].start : x <= ix->items[mid].start) {
            hi = mid;
        }
        else {
            lo = mid + 1;
        }
    }
    return lo;
}

/* The items the hits ending in [lo, hi] are among: [*first, *last) */
static void
ending_range(const HitIndexObject *ix, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t *first, Py_ssize_t *last)
{
    *first = bisect(ix, lo - ix->longest, 0);
    *last = bisect(ix, hi, 1);
}

/* The method `name` of the reference's index of the same hits, for arguments the C does not take. */
static PyObject *
reference_method(PyObject *self, const char *name, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *hits = PyList_New(Py_SIZE(self)), *result = NULL;
    for (Py_ssize_t i = 0; hits != NULL && i < Py_SIZE(self); i++) {
        PyList_SET_ITEM(hits, i, Py_NewRef(INDEX_OF(self)->items[i].hit));
    }
    PyObject *ref = hits == NULL ? NULL : ev_call_reference(REF_HIT_INDEX, &hits, 1, NULL);
    PyObject *method = ref == NULL ? NULL : PyObject_GetAttrString(ref, name);
    if (method != NULL) {
        result = PyObject_Vectorcall(method, args, nargs, kwnames);
    }
    Py_XDECREF(method);
    Py_XDECREF(ref);
    Py_XDECREF(hits);
    return result;
}

static PyObject *
hit_index_ending_in(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    HitIndexObject *ix = INDEX_OF(self);
    Py_ssize_t lo, hi, first, last;
    if (nargs != 2 || kwnames != NULL || !as_offset(args[0], &lo) || !as_offset(args[1], &hi)) {
        return reference_method(self, "ending_in", args, nargs, kwnames);
    }
    ending_range(ix, lo, hi, &first, &last);
    PyObject *found = PyList_New(0);
    for (Py_ssize_t i = first; found != NULL && i < last; i++) {
        if (lo <= ix->items[i].end && ix->items[i].end <= hi && PyList_Append(found, ix->items[i].hit) < 0) {
            Py_CLEAR(found);
        }
    }
    return found;
}

static PyObject *
hit_index_starting_in(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    HitIndexObject *ix = INDEX_OF(self);
    Py_ssize_t lo, hi;
    if (nargs != 2 || kwnames != NULL || !as_offset(args[0], &lo) || !as_offset(args[1], &hi)) {
        return reference_method(self, "starting_in", args, nargs, kwnames);
    }
    Py_ssize_t first = bisect(ix, lo, 0), last = bisect(ix, hi, 1);
    PyObject *found = PyList_New(first < last ? last - first : 0);
    for (Py_ssize_t i = first; found != NULL && i < last; i++) {
        PyList_SET_ITEM(found, i - first, Py_NewRef(ix->items[i].hit));
    }
    return found;
}

static PyMethodDef hit_index_methods[] = {
    {"ending_in", (PyCFunction)(void (*)(void))hit_index_ending_in, METH_FASTCALL | METH_KEYWORDS,
     "ending_in(lo, hi): the hits whose end lies in [lo, hi]."},
    {"starting_in", (PyCFunction)(void (*)(void))hit_index_starting_in, METH_FASTCALL | METH_KEYWORDS,
     "starting_in(lo, hi): the hits whose start lies in [lo, hi]."},
    {NULL, NULL, 0, NULL},
};

static PyNumberMethods hit_index_as_number = {.nb_bool = hit_index_bool};

PyTypeObject ev_hit_index_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "smsguard_plugins._cevidence.HitIndex",
    .tp_basicsize = offsetof(HitIndexObject, items),
    .tp_itemsize = sizeof(ix_item),
    .tp_dealloc = hit_index_dealloc,
    .tp_as_number = &hit_index_as_number,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "HitIndex(hits): hits sorted by start for range look-ups (plugins/_cues.py).",
    .tp_traverse = hit_index_traverse,
    .tp_clear = hit_index_clear,
    .tp_methods = hit_index_methods,
    .tp_new = hit_index_tp_new,
    .tp_vectorcall = hit_index_vectorcall,
};

/* ---- the cues ---- */

/* the parameters of cue_before and cue_after: text, cues (near: a), hit (near: b), within, clause */
enum { CUE_TEXT, CUE_CUES, CUE_HIT, CUE_WITHIN, CUE_CLAUSE, N_CUE };

/* The arguments of near, cue_before and cue_after, bound as the reference binds them and read as plain values:
 * 1, or 0 when the reference must answer. */
static int
cue_arguments(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject *const *names, PyObject **a)
{
    for (int k = 0; k < N_CUE; k++) {
        a[k] = NULL;
    }
    return EV.bound && EV.cues != NULL && nargs <= CUE_CLAUSE
           && ev_bind_arguments(args, nargs, kwnames, names, N_CUE, a)
           && a[CUE_TEXT] != NULL && a[CUE_CUES] != NULL && a[CUE_HIT] != NULL && a[CUE_WITHIN] != NULL
           && (a[CUE_CLAUSE] == NULL || a[CUE_CLAUSE] == Py_False || a[CUE_CLAUSE] == Py_True);
}

/* same_sentence (same_clause): no sentence (or clause) end in text[lo:hi], clamped as re clamps pos and endpos */
static int
no_end_in(const ev_text *t, Py_ssize_t lo, Py_ssize_t hi, int clause)
{
    lo = lo < 0 ? 0 : lo < t->length ? lo : t->length;
    hi = hi < 0 ? 0 : hi < t->length ? hi : t->length;
    return !ev_any_in(&EV.words[clause ? W_CLAUSE_MARKS : W_SENTENCE_ENDS], t, lo, hi);
}

/* near on numbers: the gap between the two spans at most within characters, with no end in it */
static int
near(const ev_text *t, ev_pair a, ev_pair b, Py_ssize_t within, int clause)
{
    ev_pair first = a.a <= b.a ? a : b, second = a.a <= b.a ? b : a;
    Py_ssize_t lo = first.b, hi = first.b > second.a ? first.b : second.a;
    return hi - lo <= within && no_end_in(t, lo, hi, clause);
}

PyObject *
evidence_near(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *a[N_CUE];
    ev_pair x, y;
    Py_ssize_t within;
    if (!cue_arguments(args, nargs, kwnames, ev_near_parameters, a) || !PyUnicode_CheckExact(a[CUE_TEXT])
        || !read_span(a[CUE_CUES], &x.a, &x.b) || !read_span(a[CUE_HIT], &y.a, &y.b)
        || !as_offset(a[CUE_WITHIN], &within)) {
        return ev_call_reference(REF_NEAR, args, nargs, kwnames);
    }
    if (PyUnicode_READY(a[CUE_TEXT]) < 0) {
        return NULL;
    }
    ev_text t = EV_TEXT_OF(a[CUE_TEXT]);
    return PyBool_FromLong(near(&t, x, y, within, a[CUE_CLAUSE] == Py_True));
}

/* cue_before and cue_after: whether a cue of the index ends within characters before the hit (starts within
 * characters after it), near it */
static PyObject *
cue(int which, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *a[N_CUE];
    ev_pair hit;
    Py_ssize_t within, first, last;
    if (!cue_arguments(args, nargs, kwnames, ev_cue_parameters, a) || Py_TYPE(a[CUE_CUES]) != &ev_hit_index_type) {
        return ev_call_reference(which, args, nargs, kwnames);
    }
    const HitIndexObject *ix = INDEX_OF(a[CUE_CUES]);
    if (Py_SIZE(ix) == 0) {
        Py_RETURN_FALSE;    /* bool(cues) and ...: nothing else is read */
    }
    if (!PyUnicode_CheckExact(a[CUE_TEXT]) || !read_span(a[CUE_HIT], &hit.a, &hit.b)
        || !as_offset(a[CUE_WITHIN], &within)) {
        return ev_call_reference(which, args, nargs, kwnames);
    }
    if (PyUnicode_READY(a[CUE_TEXT]) < 0) {
        return NULL;
    }
    ev_text t = EV_TEXT_OF(a[CUE_TEXT]);
    int clause = a[CUE_CLAUSE] == Py_True, before = which == REF_CUE_BEFORE;
    Py_ssize_t lo = before ? hit.a - within : hit.b, hi = before ? hit.a : hit.b + within;
    if (before) {
        ending_range(ix, lo, hi, &first, &last);
    }
    else {
        first = bisect(ix, lo, 0);
        last = bisect(ix, hi, 1);
    }
    for (Py_ssize_t i = first; i < last; i++) {
        const ix_item *c = &ix->items[i];
        if (before && !(lo <= c->end && c->end <= hi)) {
            continue;
        }
        ev_pair span = {c->start, c->end};
        if (before ? near(&t, span, hit, within, clause) : near(&t, hit, span, within, clause)) {
            Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}

PyObject *
evidence_cue_before(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return cue(REF_CUE_BEFORE, args, nargs, kwnames);
}

PyObject *
evidence_cue_after(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return cue(REF_CUE_AFTER, args, nargs, kwnames);
}
