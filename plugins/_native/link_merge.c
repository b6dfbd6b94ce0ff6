/* The merging of the link checker's signals (plugins/link.py _Collector) in C: one signal per (name, value),
 * in the order of its first add, with the highest confidence, its spans sorted once each and its details joined
 * once each in the order they came. */
#include "link.h"

void
link_merge_clear(link_merge *m)
{
    for (Py_ssize_t i = 0; i < m->n; i++) {
        link_found *f = &m->found[i];
        Py_DECREF(f->value);
        Py_DECREF(f->span);
        Py_XDECREF(f->spans);
        Py_DECREF(f->detail);
        Py_XDECREF(f->details);
    }
    if (m->found != m->small) {
        PyMem_Free(m->found);
    }
    m->found = m->small;
    m->n = 0;
    m->room = sizeof(m->small) / sizeof(m->small[0]);
}

static int
add_span(link_found *f, PyObject *span)
{
    if (f->spans != NULL) {
        return PyList_Append(f->spans, span);
    }
    int same = PyObject_RichCompareBool(f->span, span, Py_EQ);
    if (same != 0) {
        return same < 0 ? -1 : 0;
    }
    f->spans = PyList_New(2);
    if (f->spans == NULL) {
        return -1;
    }
    PyList_SET_ITEM(f->spans, 0, Py_NewRef(f->span));
    PyList_SET_ITEM(f->spans, 1, Py_NewRef(span));
    return 0;
}

/* out.add(name, value, confidence, [span, second], detail), ``second`` NULL for one span; 0 or -1 */
int
link_merge_add(link_merge *m, int name, PyObject *value, double confidence, PyObject *span, PyObject *second,
               PyObject *detail)
{
    link_found *f = NULL;
    for (Py_ssize_t i = 0; i < m->n && f == NULL; i++) {
        if (m->found[i].name == name) {
            int same = PyObject_RichCompareBool(m->found[i].value, value, Py_EQ);
            if (same < 0) {
                return -1;
            }
            f = same ? &m->found[i] : NULL;
        }
    }
    if (f == NULL) {
        if (m->n == m->room) {
            link_found *more = PyMem_New(link_found, 2 * m->room);
            if (more == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            memcpy(more, m->found, (size_t)m->n * sizeof(link_found));
            if (m->found != m->small) {
                PyMem_Free(m->found);
            }
            m->found = more;
            m->room *= 2;
        }
        f = &m->found[m->n++];
        *f = (link_found){name, Py_NewRef(value), confidence, Py_NewRef(span), NULL, Py_NewRef(detail), NULL};
        return second == NULL ? 0 : add_span(f, second);
    }
    f->confidence = confidence > f->confidence ? confidence : f->confidence;
    if (add_span(f, span) < 0 || (second != NULL && add_span(f, second) < 0)) {
        return -1;
    }
    if (f->details != NULL) {
        return PyDict_SetItem(f->details, detail, Py_None);
    }
    int same = PyObject_RichCompareBool(f->detail, detail, Py_EQ);
    if (same != 0) {
        return same < 0 ? -1 : 0;
    }
    f->details = PyDict_New();
    if (f->details == NULL || PyDict_SetItem(f->details, f->detail, Py_None) < 0) {
        return -1;
    }
    return PyDict_SetItem(f->details, detail, Py_None);
}

/* tuple(sorted(spans)) of a found signal */
static PyObject *
sorted_spans(const link_found *f)
{
    if (f->spans == NULL) {
        return PyTuple_Pack(1, f->span);
    }
    if (PyList_Sort(f->spans) < 0) {
        return NULL;
    }
    /* the first of each run of equal spans: the one a dict of them keeps, sorted stably */
    Py_ssize_t n = PyList_GET_SIZE(f->spans), kept = 0;
    PyObject *result = PyTuple_New(n);
    for (Py_ssize_t i = 0; result != NULL && i < n; i++) {
        PyObject *span = PyList_GET_ITEM(f->spans, i);
        int same = kept == 0 ? 0 : PyObject_RichCompareBool(PyTuple_GET_ITEM(result, kept - 1), span, Py_EQ);
        if (same < 0) {
            Py_CLEAR(result);
        }
        else if (!same) {
            PyTuple_SET_ITEM(result, kept++, Py_NewRef(span));
        }
    }
    if (result != NULL && kept < n && _PyTuple_Resize(&result, kept) < 0) {
        return NULL;
    }
    return result;
}

int
link_merge_signals(const link_merge *m, PyObject *list, Py_ssize_t at, const sg_record *signal,
                   PyObject *const *names, PyObject *plugin)
{
    static PyObject *comma;
    if (comma == NULL && (comma = PyUnicode_InternFromString(", ")) == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < m->n; i++) {
        const link_found *f = &m->found[i];
        PyObject *spans = sorted_spans(f), *detail = NULL, *confidence = NULL, *made = NULL;
        if (spans != NULL) {
            PyObject *keys = f->details == NULL ? NULL : PySequence_List(f->details);
            detail = f->details == NULL ? Py_NewRef(f->detail) : keys == NULL ? NULL : PyUnicode_Join(comma, keys);
            Py_XDECREF(keys);
        }
        if (detail != NULL && (confidence = PyFloat_FromDouble(f->confidence)) != NULL) {
            PyObject *values[6] = {names[f->name], f->value, confidence, spans, detail, plugin};
            made = sg_record_new(signal, values);
        }
        Py_XDECREF(spans);
        Py_XDECREF(detail);
        Py_XDECREF(confidence);
        if (made == NULL) {
            return -1;
        }
        PyList_SET_ITEM(list, at + i, made);
    }
    return 0;
}
