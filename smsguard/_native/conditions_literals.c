/* smsguard._cconditions, the literal leaves: any() and not any() of literals and near(), from the literal pass's
 * table (MatchContext.found) and, when the engine accelerator built the context, its bitmap of found ids.
 *
 * The closures (smsguard/lang/builtins.py) join the span lists of the found literals in id order and sort them; the
 * C gathers them in id order too, or in another order where every span is a pair of ints, whose sort is then the
 * same whatever the order. Anything else goes to the closure.
 */
#include "conditions.h"

#include <stdlib.h>

#define SPAN_LIMIT (PY_SSIZE_T_MAX / 4)  /* spans beyond it go to the closure: the gap arithmetic cannot overflow */

typedef struct {
    Py_ssize_t start, end;
    PyObject *span;  /* borrowed from the span list that holds it */
} Pair;

/* A pair of exact ints within SPAN_LIMIT in an exact 2-tuple: 1 with the ints, else 0. */
static int
span_ints(PyObject *span, Py_ssize_t *start, Py_ssize_t *end)
{
    if (!PyTuple_CheckExact(span) || PyTuple_GET_SIZE(span) != 2) {
        return 0;
    }
    PyObject *a = PyTuple_GET_ITEM(span, 0), *b = PyTuple_GET_ITEM(span, 1);
    if (!PyLong_CheckExact(a) || !PyLong_CheckExact(b)) {
        return 0;
    }
    int overflow_a, overflow_b;
    long long s = PyLong_AsLongLongAndOverflow(a, &overflow_a), e = PyLong_AsLongLongAndOverflow(b, &overflow_b);
    if (overflow_a || overflow_b || s > SPAN_LIMIT || s < -SPAN_LIMIT || e > SPAN_LIMIT || e < -SPAN_LIMIT) {
        return 0;
    }
    *start = (Py_ssize_t)s;
    *end = (Py_ssize_t)e;
    return 1;
}

static inline int
pair_less(const Pair *a, const Pair *b)
{
    return a->start < b->start || (a->start == b->start && a->end < b->end);
}

static int
pair_cmp(const void *x, const void *y)
{
    const Pair *a = x, *b = y;
    return pair_less(a, b) ? -1 : pair_less(b, a);
}

/* Pairs of ints in (start, end) order: what list.sort gives for the tuples, as equal tuples are equal values. */
static void
sort_pairs(Pair *pairs, Py_ssize_t n)
{
    if (n > 16) {
        qsort(pairs, (size_t)n, sizeof(Pair), pair_cmp);
        return;
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        Pair item = pairs[i];
        Py_ssize_t j = i;
        for (; j > 0 && pair_less(&item, &pairs[j - 1]); j--) {
            pairs[j] = pairs[j - 1];
        }
        pairs[j] = item;
    }
}

/* A new list of the spans of ``pairs``. */
static PyObject *
pairs_list(const Pair *pairs, Py_ssize_t n)
{
    PyObject *list = PyList_New(n);
    for (Py_ssize_t i = 0; list != NULL && i < n; i++) {
        PyList_SET_ITEM(list, i, Py_NewRef(pairs[i].span));
    }
    return list;
}

/* ``ctx.original(spans)`` of the sorted ``pairs``: MatchContext.original, in C when the offset map is a pair of
 * tuples and every span lies inside it; the method otherwise. */
static PyObject *
original(PyObject *ctx, const Pair *pairs, Py_ssize_t count)
{
    PyObject *ntext = sg_slot(ctx, sg_layout.ntext), *starts = NULL, *ends = NULL, *out = NULL, *list;
    if (ntext == NULL || (starts = PyObject_GetAttr(ntext, sg_str_starts)) == NULL
        || (ends = PyObject_GetAttr(ntext, sg_str_ends)) == NULL) {
        PyErr_Clear();  /* the method raises it again */
        goto method;
    }
    if (starts == Py_None || ends == Py_None) {
        if ((out = PyTuple_New(count)) != NULL) {
            for (Py_ssize_t i = 0; i < count; i++) {
                PyTuple_SET_ITEM(out, i, Py_NewRef(pairs[i].span));
            }
        }
        goto done;
    }
    if (!PyTuple_CheckExact(starts) || !PyTuple_CheckExact(ends)) {
        goto method;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(starts);
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t s = pairs[i].start, e = pairs[i].end;
        if (s < 0 || s >= e || e > n || e > PyTuple_GET_SIZE(ends)) {
            goto method;  /* NormalizedText.to_original's edge cases */
        }
    }
    if ((out = PyTuple_New(count)) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *pair = PyTuple_Pack(2, PyTuple_GET_ITEM(starts, pairs[i].start),
                                      PyTuple_GET_ITEM(ends, pairs[i].end - 1));
        if (pair == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        PyTuple_SET_ITEM(out, i, pair);
    }
    goto done;
method:
    if ((list = pairs_list(pairs, count)) != NULL) {
        out = PyObject_CallMethodOneArg(ctx, sg_str_original, list);
        Py_DECREF(list);
    }
done:
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    return out;
}

/* ``ctx.identity``: 1, 0, or -1 with an exception (the closure's, when the slot is unset) */
static int
identity_of(PyObject *ctx)
{
    PyObject *identity = sg_slot(ctx, sg_layout.identity);
    if (identity == Py_True || identity == Py_False) {
        return identity == Py_True;
    }
    PyObject *value = PyObject_GetAttrString(ctx, "identity");
    int truth = value == NULL ? -1 : PyObject_IsTrue(value);
    Py_XDECREF(value);
    return truth;
}

/* ``tuple(spans) if ctx.identity else ctx.original(spans)`` of sorted pairs */
static PyObject *
finish_pairs(PyObject *ctx, const Pair *pairs, Py_ssize_t n)
{
    int identity = identity_of(ctx);
    if (identity < 0) {
        return NULL;
    }
    if (!identity) {
        return original(ctx, pairs, n);
    }
    PyObject *out = PyTuple_New(n);
    for (Py_ssize_t i = 0; out != NULL && i < n; i++) {
        PyTuple_SET_ITEM(out, i, Py_NewRef(pairs[i].span));
    }
    return out;
}

/* The same of a span list (any list): through the method when the spans are not all pairs of ints. */
static PyObject *
finish_list(PyObject *ctx, PyObject *spans)
{
    int identity = identity_of(ctx);
    if (identity < 0) {
        return NULL;
    }
    if (identity) {
        return PyList_AsTuple(spans);
    }
    Py_ssize_t n = PyList_GET_SIZE(spans);
    Pair stack[STACK_ITEMS], *pairs = n <= STACK_ITEMS ? stack : PyMem_New(Pair, n);
    PyObject *out = NULL;
    if (pairs == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t i = 0;
    for (; i < n && span_ints(PyList_GET_ITEM(spans, i), &pairs[i].start, &pairs[i].end); i++) {
        pairs[i].span = PyList_GET_ITEM(spans, i);
    }
    out = i == n ? original(ctx, pairs, n) : PyObject_CallMethodOneArg(ctx, sg_str_original, spans);
    if (pairs != stack) {
        PyMem_Free(pairs);
    }
    return out;
}

/* The span lists of the found literals of a term set (borrowed from ``found``). */
typedef struct {
    PyObject *stack[STACK_ITEMS];
    PyObject **values;
    Py_ssize_t held, capacity;
    int ordered;  /* in ascending id order, the order in which a probing closure visits them */
} Present;

static void
present_init(Present *p)
{
    p->values = p->stack;
    p->held = 0;
    p->capacity = STACK_ITEMS;
    p->ordered = 1;
}

static void
present_clear(Present *p)
{
    if (p->values != p->stack) {
        PyMem_Free(p->values);
    }
}

static int
present_push(Present *p, PyObject *value)
{
    if (p->held == p->capacity) {
        PyObject **more = PyMem_New(PyObject *, p->capacity * 2);
        if (more == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(more, p->values, sizeof(PyObject *) * (size_t)p->held);
        if (p->values != p->stack) {
            PyMem_Free(p->values);
        }
        p->values = more;
        p->capacity *= 2;
    }
    p->values[p->held++] = value;
    return 0;
}

/* Push found[id] for literal id ``id`` (the ``index``-th of ``terms``), which the bitmap says ``found`` holds. */
static int
push_found(Present *p, const Terms *terms, Py_ssize_t index, PyObject *found)
{
    PyObject *value = PyDict_GetItemWithError(found, PyTuple_GET_ITEM(terms->ids, index));
    if (value == NULL) {
        return PyErr_Occurred() ? -1 : SG_SCAN_BAIL;  /* the bitmap does not describe this table */
    }
    return present_push(p, value);
}

/* The index in ``terms`` of the literal id ``id``, which it holds. */
static Py_ssize_t
index_of(const Terms *terms, Py_ssize_t id)
{
    Py_ssize_t lo = 0, hi = PyTuple_GET_SIZE(terms->ids) - 1;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (terms->values[mid] < id) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return lo;
}

/* The values of ``found`` (an exact dict) for the literals of ``terms`` it holds (only the first with
 * ``first_only``). With the context's bitmap of found ids: the ids are tested in it one by one, or, for a term set
 * with many ids, the two bitmaps are intersected word by word. Without it: the ids are looked up in ``found``, or
 * for a term set larger than the table, its keys are tested in the term set's bitmap. Returns 0, -1 with an
 * exception, or SG_SCAN_BAIL when the closure must decide (a key that is not an int). */
static int
scan(const Terms *terms, PyObject *ctx, PyObject *found, int first_only, Present *p)
{
    PyObject *bits = sg_slot(ctx, sg_layout.found_bits);
    Py_ssize_t n = PyTuple_GET_SIZE(terms->ids);
    int rc;
    if (bits != NULL && PyBytes_CheckExact(bits)) {
        const uint64_t *words = (const uint64_t *)PyBytes_AS_STRING(bits);
        Py_ssize_t nwords = PyBytes_GET_SIZE(bits) / 8, common = nwords < terms->nwords ? nwords : terms->nwords;
        if (terms->bits == NULL || n <= common) {
            for (Py_ssize_t i = 0; i < n; i++) {
                if (sg_has_bit(words, nwords, terms->values[i])) {
                    if ((rc = push_found(p, terms, i, found)) < 0) {
                        return rc;
                    }
                    if (first_only) {
                        return 0;
                    }
                }
            }
            return 0;
        }
        for (Py_ssize_t k = 0; k < common; k++) {
            for (uint64_t both = sg_word(words, k) & terms->bits[k]; both != 0; both &= both - 1) {
                Py_ssize_t id = k * 64 + sg_lowest_bit(both);
                if ((rc = push_found(p, terms, index_of(terms, id), found)) < 0) {
                    return rc;
                }
                if (first_only) {
                    return 0;
                }
            }
        }
        return 0;
    }
    if (terms->bits == NULL || n <= PyDict_GET_SIZE(found)) {
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *value = PyDict_GetItemWithError(found, PyTuple_GET_ITEM(terms->ids, i));
            if (value == NULL) {
                if (PyErr_Occurred()) {
                    return -1;
                }
                continue;
            }
            if (present_push(p, value) < 0) {
                return -1;
            }
            if (first_only) {
                return 0;
            }
        }
        return 0;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    p->ordered = 0;
    while (PyDict_Next(found, &pos, &key, &value)) {
        if (!PyLong_CheckExact(key)) {
            return SG_SCAN_BAIL;
        }
        Py_ssize_t id = PyLong_AsSsize_t(key);
        if (id == -1 && PyErr_Occurred()) {
            PyErr_Clear();  /* beyond Py_ssize_t: not one of our ids */
        }
        if (sg_has_bit(terms->bits, terms->nwords, id)) {
            if (present_push(p, value) < 0) {
                return -1;
            }
            if (first_only) {
                return 0;
            }
        }
    }
    return 0;
}

/* scan(), then 1 when every value found is a list, 0 when the closure must decide, -1 with an exception */
static int
scan_lists(const Terms *terms, PyObject *ctx, PyObject *found, Present *p)
{
    int rc = scan(terms, ctx, found, 0, p);
    if (rc < 0) {
        return rc == SG_SCAN_BAIL ? 0 : -1;
    }
    for (Py_ssize_t i = 0; i < p->held; i++) {
        if (!PyList_CheckExact(p->values[i])) {
            return 0;
        }
    }
    return 1;
}

/* Every span of the lists of ``p`` as sorted pairs in a new array (*count of them): 1, 0 when a span is not a
 * pair of ints, -1 with an exception. */
static int
sorted_spans(const Present *p, Pair **out, Py_ssize_t *count, Pair *stack)
{
    Py_ssize_t n = 0;
    for (Py_ssize_t i = 0; i < p->held; i++) {
        n += PyList_GET_SIZE(p->values[i]);
    }
    Pair *pairs = n <= STACK_ITEMS ? stack : PyMem_New(Pair, n);
    if (pairs == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < p->held; i++) {
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(p->values[i]); j++, k++) {
            PyObject *span = PyList_GET_ITEM(p->values[i], j);
            if (!span_ints(span, &pairs[k].start, &pairs[k].end)) {
                if (pairs != stack) {
                    PyMem_Free(pairs);
                }
                return 0;
            }
            pairs[k].span = span;
        }
    }
    sort_pairs(pairs, n);
    *out = pairs;
    *count = n;
    return 1;
}

/* any() of literals: _any_literal, _any_probed and _any_intersected */
PyObject *
sg_any_literals(Node *node, PyObject *ctx, PyObject *found)
{
    Present p;
    Pair stack[STACK_ITEMS], *pairs = NULL;
    Py_ssize_t n;
    PyObject *out = NULL;
    present_init(&p);
    int rc = scan_lists(&node->terms, ctx, found, &p);
    if (rc <= 0) {
        out = rc < 0 ? NULL : sg_call_ref(node, ctx);
    }
    else if (p.held == 0) {
        out = Py_NewRef(Py_None);
    }
    else if (p.held == 1) {
        /* a probing closure tests the list (``if not spans``); the intersecting one takes it as it is */
        out = node->kind != K_INTERSECTED && PyList_GET_SIZE(p.values[0]) == 0 ? Py_NewRef(Py_None)
                                                                               : finish_list(ctx, p.values[0]);
    }
    else if ((rc = sorted_spans(&p, &pairs, &n, stack)) > 0) {
        out = finish_pairs(ctx, pairs, n);
    }
    else if (rc == 0 && node->terms.probe && p.ordered) {
        /* odd spans, joined in the closure's order and sorted by list.sort as it sorts them */
        PyObject *spans = PyList_New(0);
        rc = spans == NULL ? -1 : 0;
        for (Py_ssize_t i = 0; i < p.held && rc == 0; i++) {
            rc = PyList_SetSlice(spans, PY_SSIZE_T_MAX, PY_SSIZE_T_MAX, p.values[i]);
        }
        out = rc < 0 || PyList_Sort(spans) < 0 ? NULL : finish_list(ctx, spans);
        Py_XDECREF(spans);
    }
    else if (rc == 0) {
        out = sg_call_ref(node, ctx);
    }
    if (pairs != stack) {
        PyMem_Free(pairs);
    }
    present_clear(&p);
    return out;
}

/* ``ids.isdisjoint(found)``: 1, 0, -1 with an exception, or SG_SCAN_BAIL */
int
sg_disjoint(const Terms *terms, PyObject *ctx, PyObject *found)
{
    Present p;
    present_init(&p);
    int rc = scan(terms, ctx, found, 1, &p);
    present_clear(&p);
    return rc < 0 ? rc : p.held == 0;
}

/* compile_near: the first close pair of distinct spans by the left span, then the right one */
PyObject *
sg_near(Node *node, PyObject *ctx, PyObject *found)
{
    Present left, right;
    Pair stack_a[STACK_ITEMS], stack_b[STACK_ITEMS], *a = NULL, *b = NULL;
    Py_ssize_t na = 0, nb = 0, within = node->number;
    PyObject *out = NULL;
    present_init(&left);
    present_init(&right);
    int rc = scan_lists(&node->terms, ctx, found, &left);
    if (rc > 0) {
        rc = sorted_spans(&left, &a, &na, stack_a);
    }
    if (rc > 0 && na > 0) {
        rc = scan_lists(&node->other, ctx, found, &right);
        if (rc > 0) {
            rc = sorted_spans(&right, &b, &nb, stack_b);
        }
    }
    if (rc <= 0) {
        out = rc < 0 ? NULL : sg_call_ref(node, ctx);
        goto done;
    }
    for (Py_ssize_t i = 0; i < na && nb > 0; i++) {
        Py_ssize_t s1 = a[i].start, e1 = a[i].end;
        for (Py_ssize_t j = 0; j < nb; j++) {
            Py_ssize_t s2 = b[j].start, e2 = b[j].end;
            if (s2 - e1 > within) {
                break;  /* the gap is at least s2 - e1, and the right spans that follow start later still */
            }
            Py_ssize_t gap = (s1 > s2 ? s1 : s2) - (e1 < e2 ? e1 : e2);
            if (gap <= within && (s1 != s2 || e1 != e2)) {
                Pair pair[2] = {a[i], b[j]};
                if (pair_less(&b[j], &a[i])) {
                    pair[0] = b[j];
                    pair[1] = a[i];
                }
                out = finish_pairs(ctx, pair, 2);
                goto done;
            }
        }
    }
    out = Py_NewRef(Py_None);
done:
    if (a != stack_a) {
        PyMem_Free(a);
    }
    if (b != stack_b) {
        PyMem_Free(b);
    }
    present_clear(&left);
    present_clear(&right);
    return out;
}


/* Whether MatchContext.original maps every span of ``pairs`` without an error: the offset map is None, or a pair of
 * tuples holding each span (0 <= start < end <= its length). 1, or 0 when only the method can tell. */
static int
maps_inside(PyObject *ctx, const Pair *pairs, Py_ssize_t n)
{
    PyObject *ntext = sg_slot(ctx, sg_layout.ntext), *starts = NULL, *ends = NULL;
    int inside = 0;
    if (ntext == NULL || (starts = PyObject_GetAttr(ntext, sg_str_starts)) == NULL
        || (ends = PyObject_GetAttr(ntext, sg_str_ends)) == NULL) {
        PyErr_Clear();
    }
    else if (starts == Py_None || ends == Py_None) {
        inside = 1;
    }
    else if (PyTuple_CheckExact(starts) && PyTuple_CheckExact(ends)) {
        inside = 1;
        for (Py_ssize_t i = 0; i < n && inside; i++) {
            inside = pairs[i].start >= 0 && pairs[i].start < pairs[i].end && pairs[i].end <= PyTuple_GET_SIZE(starts)
                     && pairs[i].end <= PyTuple_GET_SIZE(ends);
        }
    }
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    return inside;
}

/* ``count(...) OP constant`` of literals: compile_compare over compile_count and a constant. The closure builds the
 * spans whether or not the comparison holds; here they are built only when it holds, after checking that building
 * them could not raise (pairs of ints, which sort; an identity context, or an offset map holding them). */
PyObject *
sg_count_compare(Node *node, PyObject *ctx, PyObject *found)
{
    Present p;
    Pair stack[STACK_ITEMS], *pairs = NULL;
    Py_ssize_t n = 0;
    PyObject *out = NULL;
    present_init(&p);
    int rc = scan_lists(&node->terms, ctx, found, &p);
    if (rc > 0 && p.held > 0) {
        rc = sorted_spans(&p, &pairs, &n, stack);
    }
    if (rc <= 0) {
        out = rc < 0 ? NULL : sg_call_ref(node, ctx);
        goto done;
    }
    double count = (double)p.held, a = node->flag ? count : node->real, b = node->flag ? node->real : count;
    int holds = node->op == Py_LT   ? a < b
                : node->op == Py_LE ? a <= b
                : node->op == Py_EQ ? a == b
                : node->op == Py_NE ? a != b
                : node->op == Py_GT ? a > b
                                    : a >= b;
    if (p.held == 0) {  /* the closure's ``nothing``: no spans, no mapping */
        out = holds ? PyTuple_New(0) : Py_NewRef(Py_None);
        goto done;
    }
    if (holds) {
        out = finish_pairs(ctx, pairs, n);
        goto done;
    }
    int identity = identity_of(ctx);
    if (identity < 0) {
        goto done;
    }
    out = identity || maps_inside(ctx, pairs, n) ? Py_NewRef(Py_None) : sg_call_ref(node, ctx);
done:
    if (pairs != NULL && pairs != stack) {
        PyMem_Free(pairs);
    }
    present_clear(&p);
    return out;
}
