/* smsguard._cengine, the hits: a Hit for each enabled rule that holds, with its spans and evidence as
 * Engine.evaluate builds them (``hit_parts`` in smsguard/engine_native.py, which the C calls for odd results).
 */
#include "engine.h"

#include <stdlib.h>

typedef struct {
    Py_ssize_t start, end, order;
} Pair;

static int
pair_cmp(const void *x, const void *y)
{
    const Pair *a = x, *b = y;
    if (a->start != b->start) {
        return a->start < b->start ? -1 : 1;
    }
    if (a->end != b->end) {
        return a->end < b->end ? -1 : 1;
    }
    return a->order < b->order ? -1 : (a->order > b->order);
}

/* The spans and evidence of a Hit for a rule result that is a tuple of (int, int) tuples with non-negative ints:
 * ``tuple(sorted(set(result)))`` and the slices of ``original``. Returns 1, or 0 for other results (left to the
 * Python helper), or -1 with an exception set. */
static int
fast_parts(PyObject *result, PyObject *original, PyObject **spans_out, PyObject **evidence_out)
{
    if (!PyTuple_CheckExact(result) || !PyUnicode_CheckExact(original)) {
        return 0;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(result), m = n;
    Pair stack[16], *pairs = n <= 16 ? stack : PyMem_New(Pair, n);
    PyObject *spans = NULL, *evidence = NULL;
    int status = 0, ordered = 1;
    if (pairs == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(result, i);
        if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2 || !PyLong_CheckExact(PyTuple_GET_ITEM(item, 0))
            || !PyLong_CheckExact(PyTuple_GET_ITEM(item, 1))) {
            goto done;
        }
        Py_ssize_t start = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 0));
        Py_ssize_t end = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 1));
        if ((start == -1 || end == -1) && PyErr_Occurred()) {
            PyErr_Clear();
            goto done;
        }
        if (start < 0 || end < 0) {
            goto done;
        }
        pairs[i] = (Pair){start, end, i};
        if (i > 0 && ordered) {  /* strictly increasing: already what sorted(set(...)) gives */
            ordered = pairs[i - 1].start < start || (pairs[i - 1].start == start && pairs[i - 1].end < end);
        }
    }
    if (ordered) {
        spans = Py_NewRef(result);
    }
    else {
        if (n > 16) {
            qsort(pairs, (size_t)n, sizeof(Pair), pair_cmp);
        }
        else {  /* the order qsort gives: pair_cmp breaks ties by position */
            for (Py_ssize_t i = 1; i < n; i++) {
                Pair item = pairs[i];
                Py_ssize_t j = i;
                for (; j > 0 && pair_cmp(&item, &pairs[j - 1]) < 0; j--) {
                    pairs[j] = pairs[j - 1];
                }
                pairs[j] = item;
            }
        }
        m = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (m == 0 || pairs[i].start != pairs[m - 1].start || pairs[i].end != pairs[m - 1].end) {
                pairs[m++] = pairs[i];
            }
        }
        if ((spans = PyTuple_New(m)) == NULL) {
            status = -1;
            goto done;
        }
        for (Py_ssize_t i = 0; i < m; i++) {
            PyTuple_SET_ITEM(spans, i, Py_NewRef(PyTuple_GET_ITEM(result, pairs[i].order)));
        }
    }
    if ((evidence = PyTuple_New(m)) == NULL) {
        status = -1;
        goto done;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *piece = PyUnicode_Substring(original, pairs[i].start, pairs[i].end);
        if (piece == NULL) {
            status = -1;
            goto done;
        }
        PyTuple_SET_ITEM(evidence, i, piece);
    }
    *spans_out = spans;
    *evidence_out = evidence;
    spans = evidence = NULL;
    status = 1;
done:
    Py_XDECREF(spans);
    Py_XDECREF(evidence);
    if (pairs != stack) {
        PyMem_Free(pairs);
    }
    return status;
}

PyObject *
sg_engine_make_hit(Evaluator *self, const RuleInfo *rule, PyObject *result, PyObject *original)
{
    PyObject *spans = NULL, *evidence = NULL;
    int fast = fast_parts(result, original, &spans, &evidence);
    if (fast < 0) {
        return NULL;
    }
    if (fast == 0) {
        PyObject *parts = PyObject_CallFunctionObjArgs(self->hit_parts, result, original, NULL);
        if (parts == NULL) {
            return NULL;
        }
        if (!PyTuple_CheckExact(parts) || PyTuple_GET_SIZE(parts) != 2) {
            Py_DECREF(parts);
            PyErr_SetString(PyExc_TypeError, "hit_parts must return (spans, evidence)");
            return NULL;
        }
        spans = Py_NewRef(PyTuple_GET_ITEM(parts, 0));
        evidence = Py_NewRef(PyTuple_GET_ITEM(parts, 1));
        Py_DECREF(parts);
    }
    PyObject *values[] = {rule->id, rule->category, rule->weight, rule->title, spans, evidence, rule->pack};
    PyObject *hit = sg_record_new(&self->hit_rec, values);
    Py_DECREF(spans);
    Py_DECREF(evidence);
    return hit;
}

