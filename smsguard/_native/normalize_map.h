/* smsguard._cnormalize: a normalized text as characters with the original span of each, and the steps' edits
 * applied to it as smsguard.normalize.Normalizer.normalize and _apply_edits apply them. Included by normalize.c.
 */
#ifndef SMSGUARD_NORMALIZE_MAP_H
#define SMSGUARD_NORMALIZE_MAP_H

#include "common.h"

#include <string.h>

#define SMALL_TEXT 256

typedef struct {
    Py_UCS4 *chars;
    Py_ssize_t *starts, *ends;
    Py_ssize_t len, cap;
    Py_UCS4 small_chars[SMALL_TEXT];
    Py_ssize_t small_starts[SMALL_TEXT], small_ends[SMALL_TEXT];
} outbuf;

static void
outbuf_init(outbuf *buf)
{
    buf->chars = buf->small_chars;
    buf->starts = buf->small_starts;
    buf->ends = buf->small_ends;
    buf->len = 0;
    buf->cap = SMALL_TEXT;
}

static void
outbuf_free(outbuf *buf)
{
    if (buf->chars != buf->small_chars) {
        PyMem_Free(buf->chars);
        PyMem_Free(buf->starts);
        PyMem_Free(buf->ends);
    }
}

static int
outbuf_reserve(outbuf *buf, Py_ssize_t extra)
{
    if (buf->len + extra <= buf->cap) {
        return 0;
    }
    if (extra > PY_SSIZE_T_MAX / 4 / (Py_ssize_t)sizeof(Py_ssize_t) - buf->len) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t cap = 2 * (buf->len + extra);
    Py_UCS4 *chars = PyMem_New(Py_UCS4, cap);
    Py_ssize_t *starts = PyMem_New(Py_ssize_t, cap), *ends = PyMem_New(Py_ssize_t, cap);
    if (chars == NULL || starts == NULL || ends == NULL) {
        PyMem_Free(chars);
        PyMem_Free(starts);
        PyMem_Free(ends);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(chars, buf->chars, (size_t)buf->len * sizeof(Py_UCS4));
    memcpy(starts, buf->starts, (size_t)buf->len * sizeof(Py_ssize_t));
    memcpy(ends, buf->ends, (size_t)buf->len * sizeof(Py_ssize_t));
    outbuf_free(buf);
    buf->chars = chars;
    buf->starts = starts;
    buf->ends = ends;
    buf->cap = cap;
    return 0;
}

/* Appends a character; the room must be reserved. */
static inline void
outbuf_put(outbuf *buf, Py_UCS4 c, Py_ssize_t start, Py_ssize_t end)
{
    buf->chars[buf->len] = c;
    buf->starts[buf->len] = start;
    buf->ends[buf->len++] = end;
}

/* _apply_edits: ``in`` with ``edits`` (a sorted list of (start, end, replacement)) applied, into ``out``. */
static int
apply_edits(const outbuf *in, outbuf *out, PyObject *edits, Py_ssize_t original_length)
{
    Py_ssize_t pos = 0, n = in->len;
    out->len = 0;
    for (Py_ssize_t e = 0; e <= PyList_GET_SIZE(edits); e++) {
        Py_ssize_t start = n, end = n;
        PyObject *replacement = NULL;
        if (e < PyList_GET_SIZE(edits)) {
            PyObject *edit = PyList_GET_ITEM(edits, e);
            if (!PyTuple_Check(edit)) {
                PyErr_SetString(PyExc_TypeError, "an edit is (start, end, replacement)");
                return -1;
            }
            if (!PyArg_ParseTuple(edit, "nnU;an edit is (start, end, replacement)", &start, &end, &replacement)) {
                return -1;
            }
            if (start < pos) {
                continue; /* overlapping edit from the same step: the earlier one wins */
            }
            if (start > end || end > n) {
                PyErr_SetString(PyExc_ValueError, "an edit is out of the text");
                return -1;
            }
        }
        Py_ssize_t m = replacement != NULL ? PyUnicode_GET_LENGTH(replacement) : 0;
        if (outbuf_reserve(out, start - pos + m) < 0) {
            return -1;
        }
        for (Py_ssize_t k = pos; k < start; k++) {
            outbuf_put(out, in->chars[k], in->starts[k], in->ends[k]);
        }
        Py_ssize_t origin_start = start < n ? in->starts[start] : original_length;
        Py_ssize_t origin_end = start < end ? in->ends[end - 1] : origin_start;
        for (Py_ssize_t j = 0; j < m; j++) {
            if (m == end - start) { /* same length: keep the character-aligned map */
                origin_start = in->starts[start + j];
                origin_end = in->ends[start + j];
            }
            outbuf_put(out, PyUnicode_READ_CHAR(replacement, j), origin_start, origin_end);
        }
        pos = end > pos ? end : pos;
    }
    return 0;
}

/* The loop of Normalizer.normalize over ``steps`` (a tuple; ``apply_name`` is "apply"): each step applied to
 * ``*text`` (a new reference, replaced), the characters and the map in ``*cur`` (``*next`` is the other buffer,
 * swapped in after edits). Sets *moved when a step returned edits. */
static int
run_steps(PyObject *steps, PyObject *apply_name, PyObject **text, outbuf **cur, outbuf **next,
          Py_ssize_t original_length, int *moved)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(steps); i++) {
        PyObject *step = PyTuple_GET_ITEM(steps, i);
        PyObject *result = PyObject_CallMethodOneArg(step, apply_name, *text);
        if (result == NULL) {
            return -1;
        }
        if (result == *text) {
            Py_DECREF(result);
        }
        else if (PyUnicode_Check(result)) {
            if (PyUnicode_GET_LENGTH(result) != (*cur)->len) {
                PyObject *name = PyObject_GetAttrString(step, "name");
                if (name != NULL) {
                    PyErr_Format(PyExc_ValueError, "normalization step %R changed length without edits", name);
                    Py_DECREF(name);
                }
                Py_DECREF(result);
                return -1;
            }
            for (Py_ssize_t k = 0; k < (*cur)->len; k++) {
                (*cur)->chars[k] = PyUnicode_READ_CHAR(result, k);
            }
            Py_SETREF(*text, result);
        }
        else if (!PyList_Check(result)) {
            PyErr_Format(PyExc_TypeError, "a normalization step returned %.200s", Py_TYPE(result)->tp_name);
            Py_DECREF(result);
            return -1;
        }
        else if (PyList_GET_SIZE(result) == 0) {
            Py_DECREF(result);
        }
        else {
            if (PyList_Sort(result) < 0 || apply_edits(*cur, *next, result, original_length) < 0) {
                Py_DECREF(result);
                return -1;
            }
            Py_DECREF(result);
            outbuf *swap = *cur;
            *cur = *next;
            *next = swap;
            *moved = 1;
            Py_SETREF(*text, PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, (*cur)->chars, (*cur)->len));
            if (*text == NULL) {
                return -1;
            }
        }
    }
    return 0;
}

/* A tuple of the ints ``values[0:n]``. */
static PyObject *
int_tuple(const Py_ssize_t *values, Py_ssize_t n)
{
    PyObject *tuple = PyTuple_New(n);
    for (Py_ssize_t k = 0; tuple != NULL && k < n; k++) {
        PyObject *value = PyLong_FromSsize_t(values[k]);
        if (value == NULL) {
            Py_CLEAR(tuple);
            break;
        }
        PyTuple_SET_ITEM(tuple, k, value);
    }
    return tuple;
}

#endif
