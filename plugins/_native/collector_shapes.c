/* The collector-shaped names (_shape_signals and _name_span of plugins/collector.py) and the collector's
 * 【signature】 (_signature_signals), for smsguard_plugins._ccollector; see collector.c.
 */
#include "collector.h"

/* _name_span: the start of the name left of a suffix hit (Han characters, a verb cut off) and the end of 有限公司
 * after it; 0, or -1 with an exception set */
static int
name_span(const Detector *d, PyObject *t, PyObject *h, Py_ssize_t *a, Py_ssize_t *b)
{
    Py_ssize_t hit_start = POS(h, 1), start = hit_start;
    int kind = PyUnicode_KIND(t);
    const void *data = PyUnicode_DATA(t);
    while (start > 0 && hit_start - start < d->name_max) {
        Py_UCS4 c = PyUnicode_READ(kind, data, start - 1);
        Py_ssize_t j = 0;
        while (j < d->n_stop && d->name_stop[j] != c) {
            j++;
        }
        if (c < 0x4e00 || c > 0x9fff || j < d->n_stop) {
            break;
        }
        start--;
    }
    Py_ssize_t skip = 0;
    PyObject *verbs = d->t[T_NAME_VERBS];
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(verbs); i++) {
        PyObject *v = PyTuple_GET_ITEM(verbs, i);
        Py_ssize_t at = PyUnicode_Find(t, v, start, hit_start, -1);
        if (at == -2) {
            return -1;
        }
        if (at >= 0 && at - start + PyUnicode_GET_LENGTH(v) > skip) {
            skip = at - start + PyUnicode_GET_LENGTH(v);
        }
    }
    *a = start + skip;
    PyObject *end = PyTuple_GET_ITEM(h, 2), *args[] = {t, end};
    PyObject *tail = PyObject_Vectorcall(d->t[T_TAIL_MATCH], args, 2, NULL);
    if (tail == NULL) {
        return -1;
    }
    if (tail == Py_None) {
        Py_DECREF(tail);
        *b = POS(h, 2);
        return 0;
    }
    PyObject *tail_end = PyObject_CallMethodNoArgs(tail, cl_s_end);
    Py_DECREF(tail);
    *b = tail_end == NULL ? -1 : PyLong_AsSsize_t(tail_end);
    Py_XDECREF(tail_end);
    return *b == -1 && PyErr_Occurred() ? -1 : 0;
}

/* _shape_signals: the named shapes and the departments */
int
cl_shape_signals(const Detector *d, PyObject *signals, PyObject *ntext, PyObject *t, PyObject *chosen)
{
    PyObject *shapes = d->t[T_NAMED_SHAPES];
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(shapes); k++) {
        PyObject *kind = PyTuple_GET_ITEM(shapes, k), *all = PyDict_GetItemWithError(chosen, kind);
        if (all == NULL) {
            if (PyErr_Occurred()) {
                return -1;
            }
            continue;
        }
        int needs_name = PyUnicode_Compare(kind, d->kinds[K_COMPANY_SHAPE]) == 0;
        PyObject *hits = PyList_New(0), *spans = PyList_New(0), *names = PyDict_New();
        int rc = hits != NULL && spans != NULL && names != NULL ? 0 : -1;
        for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(all); i++) {
            PyObject *h = PyList_GET_ITEM(all, i);
            Py_ssize_t a, b;
            Py_INCREF(h);
            rc = name_span(d, t, h, &a, &b);
            if (rc == 0 && !(needs_name && POS(h, 1) - a < d->name_min)) {
                PyObject *span = Py_BuildValue("(nn)", a, b), *name = PyUnicode_Substring(t, a, b);
                rc = span == NULL || name == NULL || PyDict_SetItem(names, name, Py_None) < 0
                             || PyList_Append(spans, span) < 0 || PyList_Append(hits, h) < 0
                         ? -1
                         : 0;
                Py_XDECREF(span);
                Py_XDECREF(name);
            }
            Py_DECREF(h);
        }
        if (rc == 0 && PyList_GET_SIZE(hits) > 0) {
            PyObject *value = cl_joined(Py_NewRef(names)), *name = PyDict_GetItemWithError(d->signal_of, kind);
            if (value == NULL || name == NULL) {
                if (value != NULL && !PyErr_Occurred()) {
                    PyErr_SetObject(PyExc_KeyError, kind);
                }
                rc = -1;
            }
            else {
                PyObject *args[] = {name, ntext, hits, spans, value};
                rc = cl_emit(d, signals, args, 3, cl_kw_nspans_value);
            }
            Py_XDECREF(value);
        }
        Py_XDECREF(hits);
        Py_XDECREF(spans);
        Py_XDECREF(names);
        if (rc < 0) {
            return -1;
        }
    }
    PyObject *departments = d->t[T_DEPARTMENTS];
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(departments); k++) {
        PyObject *kind = PyTuple_GET_ITEM(departments, k), *hits = PyDict_GetItemWithError(chosen, kind), *name;
        if (hits == NULL && PyErr_Occurred()) {
            return -1;
        }
        if (hits != NULL && PyList_GET_SIZE(hits) > 0) {
            if ((name = PyDict_GetItemWithError(d->signal_of, kind)) == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_SetObject(PyExc_KeyError, kind);
                }
                return -1;
            }
            PyObject *args[] = {name, ntext, hits};
            if (cl_emit(d, signals, args, 3, NULL) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* _signature_signals, given features.signatures (an exact tuple) */
int
cl_signature_signal(const Detector *d, PyObject *signals, PyObject *ntext, PyObject *signatures, PyObject *chosen,
                 int directed)
{
    if (PyTuple_GET_SIZE(signatures) == 0) {
        return 0;
    }
    PyObject *spans = PyList_New(PyTuple_GET_SIZE(signatures)), *owner = NULL;
    for (Py_ssize_t i = 0; spans != NULL && i < PyTuple_GET_SIZE(signatures); i++) {
        PyObject *nspan = PyObject_GetAttr(PyTuple_GET_ITEM(signatures, i), cl_s_nspan);
        if (nspan == NULL) {
            Py_CLEAR(spans);
            break;
        }
        PyList_SET_ITEM(spans, i, nspan);
    }
    if (spans == NULL) {
        return -1;
    }
    PyObject *kinds = directed ? d->t[T_SIGNATURE_OWNERS] : d->one_company;
    int rc = 0;
    for (Py_ssize_t k = 0; rc == 0 && chosen != NULL && k < PyTuple_GET_SIZE(kinds); k++) {
        PyObject *hits = PyDict_GetItemWithError(chosen, PyTuple_GET_ITEM(kinds, k));
        if (hits == NULL) {
            rc = PyErr_Occurred() ? -1 : 0;
            continue;
        }
        Py_INCREF(hits);
        for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(hits); i++) {
            PyObject *args[] = {PyList_GET_ITEM(hits, i), spans};
            PyObject *at = PyObject_Vectorcall(d->t[T_INSIDE], args, 2, NULL);
            int less = 0;
            if (at == NULL || (at != Py_None && owner != NULL && (less = PyObject_RichCompareBool(at, owner, Py_LT)) < 0)) {
                rc = -1;
            }
            else if (at != Py_None && (owner == NULL || less)) {
                Py_XSETREF(owner, Py_NewRef(at));
            }
            Py_XDECREF(at);
        }
        Py_DECREF(hits);
    }
    Py_DECREF(spans);
    if (rc < 0 || owner == NULL) {
        Py_XDECREF(owner);
        return rc;
    }
    PyObject *signature = PyObject_GetItem(signatures, owner);
    Py_DECREF(owner);
    PyObject *nspan = signature == NULL ? NULL : PyObject_GetAttr(signature, cl_s_nspan);
    PyObject *value = nspan == NULL ? NULL : PyObject_GetAttr(signature, cl_s_value);
    Py_XDECREF(signature);
    if (value == NULL) {
        Py_XDECREF(nspan);
        return -1;
    }
    PyObject *args[] = {d->names[K_SIGNATURE], ntext, nspan, value, cl_empty_str};
    PyObject *signal = PyObject_Vectorcall(d->t[T_SPAN_SIGNAL], args, 5, NULL);
    Py_DECREF(nspan);
    Py_DECREF(value);
    rc = signal == NULL ? -1 : PyList_Append(signals, signal);
    Py_XDECREF(signal);
    return rc;
}

