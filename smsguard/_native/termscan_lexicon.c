/* LexiconScan: the matches of the automaton (termscan.c) as the term detectors' TermHit lists by lexicon, the
 * scan of plugins/_terms.py (_Scanner.scan) in C.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

#include "termscan.h"

typedef struct {
    PyObject *entry; /* borrowed from LexiconScan.rows */
    PyObject *lexicon;
    int edge; /* -1 for no boundary test, else 1 (left edge) | 2 (right edge) */
    int mask;
} Row;

typedef struct {
    PyObject_HEAD
    Automaton *ac;
    PyObject *rows;
    PyTypeObject *hit_type;
    Py_ssize_t *first; /* the rows of pattern p are row[first[p]:first[p + 1]] */
    Row *row;
} LexiconScan;


static inline int
ascii_word(Py_UCS4 c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* TermHit(entry, start, end, False), made as tuple.__new__ makes it. */
static PyObject *
new_hit(PyTypeObject *type, PyObject *entry, Py_ssize_t start, Py_ssize_t end)
{
    PyObject *a = PyLong_FromSsize_t(start);
    PyObject *b = a == NULL ? NULL : PyLong_FromSsize_t(end);
    PyObject *hit = b == NULL ? NULL : type->tp_alloc(type, 4);
    if (hit == NULL) {
        Py_XDECREF(a);
        Py_XDECREF(b);
        return NULL;
    }
    Py_INCREF(entry);
    PyTuple_SET_ITEM(hit, 0, entry);
    PyTuple_SET_ITEM(hit, 1, a);
    PyTuple_SET_ITEM(hit, 2, b);
    Py_INCREF(Py_False);
    PyTuple_SET_ITEM(hit, 3, Py_False);
    return hit;
}

static PyObject *
LexiconScan_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    Automaton *ac;
    PyObject *rows;
    PyTypeObject *hit_type;
    if ((kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) ||
        !PyArg_ParseTuple(args, "O!O!O!:LexiconScan", &ts_Automaton_Type, &ac, &PyTuple_Type, &rows, &PyType_Type,
                          &hit_type)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "LexiconScan() takes no keyword arguments");
        }
        return NULL;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t p = 0; p < PyTuple_GET_SIZE(rows); p++) {
        PyObject *r = PyTuple_GET_ITEM(rows, p);
        total += PyTuple_Check(r) ? PyTuple_GET_SIZE(r) : 0;
        for (Py_ssize_t j = 0; PyTuple_Check(r) && j < PyTuple_GET_SIZE(r); j++) {
            PyObject *row = PyTuple_GET_ITEM(r, j);
            PyObject *edge = PyTuple_Check(row) && PyTuple_GET_SIZE(row) == 4 ? PyTuple_GET_ITEM(row, 2) : NULL;
            if (edge == NULL || !PyUnicode_Check(PyTuple_GET_ITEM(row, 1)) ||
                (edge != Py_None && (!PyTuple_Check(edge) || PyTuple_GET_SIZE(edge) != 2))) {
                r = NULL;
                break;
            }
        }
        if (r == NULL || !PyTuple_Check(r)) {
            PyErr_SetString(PyExc_TypeError, "rows: per key, a tuple of (entry, lexicon, None or (left, right), mask)");
            return NULL;
        }
    }
    if (!PyType_IsSubtype(hit_type, &PyTuple_Type) || PyTuple_GET_SIZE(rows) != ac->npatterns) {
        PyErr_SetString(PyExc_ValueError, "LexiconScan(automaton, one tuple of rows per key, a tuple subclass)");
        return NULL;
    }
    LexiconScan *self = (LexiconScan *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->ac = (Automaton *)Py_NewRef(ac);
    self->rows = Py_NewRef(rows);
    self->hit_type = (PyTypeObject *)Py_NewRef(hit_type);
    self->first = PyMem_Malloc(sizeof(Py_ssize_t) * (ac->npatterns + 1));
    self->row = PyMem_Malloc(sizeof(Row) * (total + 1));
    if (self->first == NULL || self->row == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t p = 0; p < ac->npatterns; p++) {
        PyObject *r = PyTuple_GET_ITEM(rows, p);
        self->first[p] = k;
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(r); j++, k++) {
            PyObject *row = PyTuple_GET_ITEM(r, j), *edge = PyTuple_GET_ITEM(row, 2);
            Row *out = &self->row[k];
            int left = 0, right = 0;
            out->entry = PyTuple_GET_ITEM(row, 0);
            out->lexicon = PyTuple_GET_ITEM(row, 1);
            if ((edge != Py_None && ((left = PyObject_IsTrue(PyTuple_GET_ITEM(edge, 0))) < 0 ||
                                     (right = PyObject_IsTrue(PyTuple_GET_ITEM(edge, 1))) < 0)) ||
                (out->mask = PyObject_IsTrue(PyTuple_GET_ITEM(row, 3))) < 0) {
                Py_DECREF(self);
                return NULL;
            }
            out->edge = edge == Py_None ? -1 : left | (right << 1);
        }
    }
    self->first[ac->npatterns] = k;
    return (PyObject *)self;
}

static void
LexiconScan_dealloc(LexiconScan *self)
{
    PyMem_Free(self->first);
    PyMem_Free(self->row);
    Py_XDECREF(self->ac);
    Py_XDECREF(self->rows);
    Py_XDECREF(self->hit_type);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
by_start_longest_first(const void *x, const void *y)
{
    const Match *a = x, *b = y;
    if (a->start != b->start) {
        return a->start < b->start ? -1 : 1;
    }
    return a->end > b->end ? -1 : a->end < b->end;
}

/* Orders matches by start, longest first: a total order, as no two patterns match the same span. The matches come
 * by end, which for a message's few short terms is nearly the order wanted: an insertion sort, qsort when many. */
static void
sort_matches(MatchBuf *buf)
{
    Match *items = buf->items;
    if (buf->len > 64) {
        qsort(items, (size_t)buf->len, sizeof(Match), by_start_longest_first);
        return;
    }
    for (Py_ssize_t i = 1; i < buf->len; i++) {
        Match m = items[i];
        Py_ssize_t j = i;
        for (; j > 0 && by_start_longest_first(&m, &items[j - 1]) < 0; j--) {
            items[j] = items[j - 1];
        }
        items[j] = m;
    }
}

int
ts_lexicon_scan(PyObject *scan, PyObject *text, PyObject **by_lexicon_out, PyObject **masking_out)
{
    LexiconScan *self = (LexiconScan *)scan;
    int go = ts_wants_search(self->ac, text);
    if (go < 0) {
        return -1;
    }
    PyObject *by_lexicon = PyDict_New(), *masking = PySet_New(NULL);
    MatchBuf buf;
    ts_buf_init(&buf);
    if (by_lexicon == NULL || masking == NULL) {
        goto error;
    }
    if (go) {
        if (ts_ac_search(self->ac, text, &buf) < 0) {
            goto error;
        }
        sort_matches(&buf);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        for (Py_ssize_t i = 0; i < buf.len; i++) {
            Match *m = &buf.items[i];
            for (Py_ssize_t k = self->first[m->pattern]; k < self->first[m->pattern + 1]; k++) {
                Row *row = &self->row[k];
                if (row->edge >= 0 &&
                    (((row->edge & 1) && m->start > 0 && ascii_word(PyUnicode_READ(kind, data, m->start - 1))) ||
                     ((row->edge & 2) && m->end < n && ascii_word(PyUnicode_READ(kind, data, m->end))))) {
                    continue;
                }
                if (row->mask && PySet_Add(masking, row->lexicon) < 0) {
                    goto error;
                }
                PyObject *hit = new_hit(self->hit_type, row->entry, m->start, m->end);
                if (hit == NULL) {
                    goto error;
                }
                int rc = ts_append_to(by_lexicon, row->lexicon, hit);
                Py_DECREF(hit);
                if (rc < 0) {
                    goto error;
                }
            }
        }
    }
    ts_buf_free(&buf);
    *by_lexicon_out = by_lexicon;
    *masking_out = masking;
    return 0;
error:
    ts_buf_free(&buf);
    Py_XDECREF(by_lexicon);
    Py_XDECREF(masking);
    return -1;
}

static PyObject *
LexiconScan_scan(PyObject *self, PyObject *text)
{
    PyObject *by_lexicon, *masking;
    if (ts_lexicon_scan(self, text, &by_lexicon, &masking) < 0) {
        return NULL;
    }
    PyObject *result = PyTuple_Pack(2, by_lexicon, masking);
    Py_DECREF(by_lexicon);
    Py_DECREF(masking);
    return result;
}

static PyMethodDef LexiconScan_methods[] = {
    {"scan", (PyCFunction)LexiconScan_scan, METH_O, "(hits by lexicon, the lexicons whose masks hit) of a text."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject ts_LexiconScan_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "smsguard._ctermscan.LexiconScan",
    .tp_basicsize = sizeof(LexiconScan),
    .tp_dealloc = (destructor)LexiconScan_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "LexiconScan(automaton, rows, hit_type): the term detectors' scan (plugins/_terms.py).",
    .tp_methods = LexiconScan_methods,
    .tp_new = LexiconScan_new,
};
