/* The signals of smsguard/_native/host.c: the quick check of smsguard.signal_check.SignalCheck.well_formed, and
 * sorting as signals.sort(key=signal_order) does, by (name, spans, str(value), detail), when every key is plain:
 * exact str, spans that are tuples of tuples of exact ints, and a bool, int, float or str value. Comparing such
 * keys runs no Python code, so a stable insertion sort gives the order list.sort gives (any stable sort does),
 * and signal_order, which list.sort would call once per signal, has no effect to repeat.
 */
#ifndef SMSGUARD_HOST_SIGNALS_H
#define SMSGUARD_HOST_SIGNALS_H

#include "common.h"

#include <math.h>

/* The fields of a Signal, in the order of its slots' offsets. */
enum { F_NAME, F_VALUE, F_CONFIDENCE, F_SPANS, F_DETAIL, F_PLUGIN, SIGNAL_FIELDS };

#define SLOT(obj, offset) (*(PyObject **)((char *)(obj) + (offset)))

/* ---- the quick check */

/* Whether an exact int is from low to high; -1 with an exception set. */
static int
int_within(PyObject *number, long long low, long long high, long long *value)
{
    int overflow;
    *value = PyLong_AsLongLongAndOverflow(number, &overflow);
    if (*value == -1 && PyErr_Occurred()) {
        return -1;
    }
    return !overflow && low <= *value && *value <= high;
}

/* SignalCheck.well_formed for a signal from ``plugin`` on a text of ``length`` characters, and an exact str in
 * the signal's plugin slot (*stamp): 1, 0 (for Python to decide), -1 with an exception set. ``accepted_names`` maps
 * each declared name to (declaring plugin, (exact value type, ...)). */
static int
quick_check(PyObject *signal, PyTypeObject *signal_type, const Py_ssize_t *at, PyObject *accepted_names,
            PyObject *plugin, Py_ssize_t length, PyObject **stamp)
{
    if (Py_TYPE(signal) != signal_type) {
        return 0;
    }
    PyObject *name = SLOT(signal, at[F_NAME]), *value = SLOT(signal, at[F_VALUE]);
    PyObject *confidence = SLOT(signal, at[F_CONFIDENCE]), *spans = SLOT(signal, at[F_SPANS]);
    PyObject *detail = SLOT(signal, at[F_DETAIL]), *field = SLOT(signal, at[F_PLUGIN]);
    if (name == NULL || value == NULL || confidence == NULL || spans == NULL || detail == NULL || field == NULL
        || !PyUnicode_CheckExact(name) || !PyTuple_CheckExact(spans) || !PyUnicode_CheckExact(detail)
        || !PyUnicode_CheckExact(field)) {
        return 0;
    }
    PyObject *accepted = PyDict_GetItemWithError(accepted_names, name);
    if (accepted == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    int ok = sg_same_str(PyTuple_GET_ITEM(accepted, 0), plugin);
    if (ok <= 0) {
        return ok;
    }
    PyObject *types = PyTuple_GET_ITEM(accepted, 1);
    ok = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(types); i++) {
        ok |= PyTuple_GET_ITEM(types, i) == (PyObject *)Py_TYPE(value);
    }
    if (!ok || (PyFloat_CheckExact(value) && !isfinite(PyFloat_AS_DOUBLE(value)))) {
        return 0;
    }
    long long start, end;
    if (PyFloat_CheckExact(confidence)) {
        double c = PyFloat_AS_DOUBLE(confidence);
        if (!(0.0 <= c && c <= 1.0)) {
            return 0;
        }
    }
    else if (!PyLong_CheckExact(confidence)) {
        return 0;
    }
    else if ((ok = int_within(confidence, 0, 1, &start)) <= 0) {
        return ok;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(spans); i++) {
        PyObject *span = PyTuple_GET_ITEM(spans, i);
        if (!PyTuple_CheckExact(span) || PyTuple_GET_SIZE(span) != 2 || !PyLong_CheckExact(PyTuple_GET_ITEM(span, 0))
            || !PyLong_CheckExact(PyTuple_GET_ITEM(span, 1))) {
            return 0;
        }
        if ((ok = int_within(PyTuple_GET_ITEM(span, 0), 0, (long long)length, &start)) <= 0
            || (ok = int_within(PyTuple_GET_ITEM(span, 1), start, (long long)length, &end)) <= 0) {
            return ok;
        }
    }
    *stamp = field;
    return 1;
}

/* ---- the order */

#define PLAIN_SORT_MAX 64       /* longer lists (very long texts) go to list.sort */
#define SORT_ERROR 2            /* an order function's result when an exception is set */

/* Whether a signal's key holds only exact str, tuples of tuples of exact ints and a bool, int, float or str
 * value: comparing such keys runs no Python code. */
static int
plain_key(PyObject *signal, PyTypeObject *signal_type, const Py_ssize_t *at)
{
    if (Py_TYPE(signal) != signal_type) {
        return 0;
    }
    PyObject *name = SLOT(signal, at[F_NAME]), *value = SLOT(signal, at[F_VALUE]);
    PyObject *spans = SLOT(signal, at[F_SPANS]), *detail = SLOT(signal, at[F_DETAIL]);
    if (name == NULL || value == NULL || spans == NULL || detail == NULL || !PyUnicode_CheckExact(name)
        || !PyUnicode_CheckExact(detail) || !PyTuple_CheckExact(spans)
        || !(PyUnicode_CheckExact(value) || PyLong_CheckExact(value) || PyFloat_CheckExact(value)
             || PyBool_Check(value))) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(spans); i++) {
        PyObject *span = PyTuple_GET_ITEM(spans, i);
        if (!PyTuple_CheckExact(span)) {
            return 0;
        }
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(span); k++) {
            if (!PyLong_CheckExact(PyTuple_GET_ITEM(span, k))) {
                return 0;
            }
        }
    }
    return 1;
}

static int
str_order(PyObject *a, PyObject *b)
{
    int order = a == b ? 0 : PyUnicode_Compare(a, b);
    return order == -1 && PyErr_Occurred() ? SORT_ERROR : order;
}

static int
int_order(PyObject *a, PyObject *b)
{
    int overflow_a, overflow_b;
    long long x = PyLong_AsLongLongAndOverflow(a, &overflow_a), y = PyLong_AsLongLongAndOverflow(b, &overflow_b);
    if (overflow_a == 0 && overflow_b == 0) {
        return (x > y) - (x < y);
    }
    int less = PyObject_RichCompareBool(a, b, Py_LT);
    int greater = less == 0 ? PyObject_RichCompareBool(a, b, Py_GT) : 0;
    return less < 0 || greater < 0 ? SORT_ERROR : (less ? -1 : greater);
}

/* Tuples compare item by item, then by length; the items are tuples (depth 1) or ints (depth 0). */
static int
tuple_order(PyObject *a, PyObject *b, int depth)
{
    Py_ssize_t na = PyTuple_GET_SIZE(a), nb = PyTuple_GET_SIZE(b);
    for (Py_ssize_t i = 0; i < na && i < nb; i++) {
        PyObject *x = PyTuple_GET_ITEM(a, i), *y = PyTuple_GET_ITEM(b, i);
        int order = depth > 0 ? tuple_order(x, y, depth - 1) : int_order(x, y);
        if (order != 0) {
            return order;
        }
    }
    return (na > nb) - (na < nb);
}

static int
value_order(PyObject *a, PyObject *b)
{
    if (PyUnicode_CheckExact(a) && PyUnicode_CheckExact(b)) {
        return str_order(a, b);
    }
    PyObject *x = PyObject_Str(a);
    PyObject *y = x != NULL ? PyObject_Str(b) : NULL;
    int order = y != NULL ? str_order(x, y) : SORT_ERROR;
    Py_XDECREF(x);
    Py_XDECREF(y);
    return order;
}

/* signal_order(a) < signal_order(b) for plain keys: 1, 0, or -1 with an exception set. */
static int
key_less(const Py_ssize_t *at, PyObject *a, PyObject *b)
{
    int order = str_order(SLOT(a, at[F_NAME]), SLOT(b, at[F_NAME]));
    if (order == 0) {
        order = tuple_order(SLOT(a, at[F_SPANS]), SLOT(b, at[F_SPANS]), 1);
    }
    if (order == 0) {
        order = value_order(SLOT(a, at[F_VALUE]), SLOT(b, at[F_VALUE]));
    }
    if (order == 0) {
        order = str_order(SLOT(a, at[F_DETAIL]), SLOT(b, at[F_DETAIL]));
    }
    return order == SORT_ERROR ? -1 : order < 0;
}

/* Sort ``signals`` (a list) in place when every signal is an exact ``signal_type`` whose slots, at the offsets
 * ``at``, hold a plain key: 1 sorted, 0 not plain (nothing done), -1 with an exception set. */
static int
sort_plain(PyObject *signals, PyTypeObject *signal_type, const Py_ssize_t *at)
{
    Py_ssize_t count = PyList_GET_SIZE(signals);
    PyObject **items = PySequence_Fast_ITEMS(signals);
    if (count > PLAIN_SORT_MAX) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!plain_key(items[i], signal_type, at)) {
            return 0;
        }
    }
    for (Py_ssize_t i = 1; i < count; i++) {
        PyObject *item = items[i];
        Py_ssize_t j = i;
        int less = 0;
        while (j > 0 && (less = key_less(at, item, items[j - 1])) == 1) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = item;
        if (less < 0) {
            return -1;
        }
    }
    return 1;
}

#endif
