/* TermSet.read (plugins/_terms.py) in C: a Reader is one term set's read (_read, _read_miss, _hits, with
 * _Scanner.scan_message in termscan_terms.c), called by every detector for every message. The look-up of the read
 * in the message costs no Python frame, and neither does the first read of a message, which scans it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "termscan.h"

static PyObject *s_get, *s_fuzzy, *s_build_fuzzy, *s_compiled, *s_wedged;

typedef struct {
    PyObject_HEAD
    ts_Terms *terms;
    PyObject *term_set;
    PyObject *key;      /* where a message keeps the term set's read */
    PyObject *scanner;  /* its _scanner */
    PyObject *lexicons; /* its lexicons (a tuple) and whether any is fuzzy: read once, as a TermSet keeps them */
    int fuzzy;
    /* the term set's _Fuzzy and its wedged, as _hits finds them for the compiled lexicons built_for */
    PyObject *built_for, *fuzzy_table, *wedged;
    vectorcallfunc vectorcall;
} Reader;

/* The term set's _Fuzzy for the compiled lexicons, as _hits finds it (built again when they changed), and its
 * wedged, kept for the next reads: they change only with the compiled lexicons. Returns 0, or -1 with an exception
 * set. */
static int
fuzzy_table(Reader *self, PyObject *compiled)
{
    PyObject *fuzzy = PyObject_GetAttr(self->term_set, s_fuzzy), *built = NULL, *wedged = NULL;
    if (fuzzy != NULL && fuzzy != Py_None && (built = PyObject_GetAttr(fuzzy, s_compiled)) == NULL) {
        Py_CLEAR(fuzzy);
    }
    if (fuzzy != NULL && built != compiled) {
        Py_SETREF(fuzzy, PyObject_CallMethodOneArg(self->term_set, s_build_fuzzy, compiled));
    }
    Py_XDECREF(built);
    if (fuzzy == NULL || (wedged = PyObject_GetAttr(fuzzy, s_wedged)) == NULL) {
        Py_XDECREF(fuzzy);
        return -1;
    }
    PyObject *old[3] = {self->built_for, self->fuzzy_table, self->wedged};
    self->built_for = Py_NewRef(compiled);
    self->fuzzy_table = fuzzy;
    self->wedged = wedged;
    for (int i = 0; i < 3; i++) { /* once the three are in step */
        Py_XDECREF(old[i]);
    }
    return 0;
}

/* The fuzzy hits of a term set in a text, when a wedge may hide one: _fuzzy_hits(fuzzy, text) (a new reference)
 * or NULL. Returns 0, or -1 with an exception set. */
static int
fuzzy_extra(Reader *self, PyObject *compiled, PyObject *text, PyObject **extra)
{
    *extra = NULL;
    if (self->built_for != compiled && fuzzy_table(self, compiled) < 0) {
        return -1;
    }
    int any = ts_wedged(self->wedged, text);
    if (any <= 0) {
        return any;
    }
    *extra = PyObject_CallFunctionObjArgs(self->terms->fuzzy_hits, self->fuzzy_table, text, NULL);
    return *extra == NULL ? -1 : 0;
}

/* TermSet._hits(scan, text), the same steps. */
static PyObject *
reader_hits(Reader *self, PyObject *scan, PyObject *text)
{
    if (!PyObject_TypeCheck(scan, self->terms->scan_type) || !PyDict_Check(PyTuple_GET_ITEM(scan, 2)) ||
        !PyAnySet_Check(PyTuple_GET_ITEM(scan, 3))) {
        PyErr_SetString(PyExc_TypeError, "_hits needs a _Scan");
        return NULL;
    }
    PyObject *by_lexicon = PyTuple_GET_ITEM(scan, 2), *masking = PyTuple_GET_ITEM(scan, 3), *extra = NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(self->lexicons);
    int ordered = n == 1, masked = 0, more = 0;
    PyObject *hits = ordered ? NULL : PyList_New(0);
    for (Py_ssize_t i = 0; i < n && masked >= 0; i++) {
        PyObject *name = PyTuple_GET_ITEM(self->lexicons, i), *found = PyDict_GetItemWithError(by_lexicon, name);
        if (PyErr_Occurred() || (!ordered && hits == NULL)) {
            masked = -1;
        }
        else if (ordered) { /* by_lexicon.get(name) or [] */
            int truth = found == NULL ? 0 : PyObject_IsTrue(found);
            hits = truth > 0 ? Py_NewRef(found) : truth == 0 ? PyList_New(0) : NULL;
        }
        else if (found != NULL && PyList_SetSlice(hits, PyList_GET_SIZE(hits), PyList_GET_SIZE(hits), found) < 0) {
            masked = -1;
        }
        if (masked == 0 && hits != NULL) {
            masked = PySet_Contains(masking, name);
        }
    }
    if (hits == NULL || masked < 0 || (self->fuzzy && fuzzy_extra(self, PyTuple_GET_ITEM(scan, 1), text, &extra) < 0) ||
        (extra != NULL && (more = PyObject_IsTrue(extra)) < 0)) {
        Py_XDECREF(hits);
        Py_XDECREF(extra);
        return NULL;
    }
    if (more) { /* [*hits, *extra] */
        ordered = 0;
        Py_SETREF(hits, PySequence_List(hits));
        if (hits != NULL && PyList_SetSlice(hits, PyList_GET_SIZE(hits), PyList_GET_SIZE(hits), extra) < 0) {
            Py_CLEAR(hits);
        }
    }
    Py_XDECREF(extra);
    if (masked && hits != NULL) {
        Py_SETREF(hits, ts_apply_masks(self->terms, hits));
    }
    Py_ssize_t size = hits == NULL || ordered ? 0 : PyObject_Size(hits);
    if (size < 0 || (size > 1 && ts_sort_hits(self->terms, hits) < 0)) {
        Py_CLEAR(hits);
    }
    return hits;
}

/* message.reads.get(key), a new reference (None when missing). */
static PyObject *
read_of(ts_Terms *terms, PyObject *message, PyObject *key)
{
    PyObject *reads = ts_message_get(terms, message, TS_READS), *found;
    if (reads == NULL) {
        return NULL;
    }
    if (PyDict_CheckExact(reads)) {
        found = PyDict_GetItemWithError(reads, key);
        found = found != NULL ? Py_NewRef(found) : PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    }
    else {
        found = PyObject_CallMethodOneArg(reads, s_get, key);
    }
    Py_DECREF(reads);
    return found;
}

/* TermSet._read_miss(message) after the look-up missed: the scan of the message (which makes the plain reads),
 * then this set's own read when the scan made none for it. */
static PyObject *
read_miss(Reader *self, PyObject *message)
{
    PyObject *scan = ts_scan_message(self->terms, self->scanner, message);
    PyObject *found = scan == NULL ? NULL : read_of(self->terms, message, self->key);
    if (found == Py_None) {
        Py_DECREF(found);
        PyObject *text = ts_message_get(self->terms, message, TS_TEXT), *reads = NULL;
        PyObject *hits = text == NULL ? NULL : reader_hits(self, scan, text);
        found = hits == NULL ? NULL : PyTuple_Pack(2, text, hits);
        if (found != NULL && ((reads = ts_message_get(self->terms, message, TS_READS)) == NULL ||
                              PyObject_SetItem(reads, self->key, found) < 0)) {
            Py_CLEAR(found);
        }
        Py_XDECREF(text);
        Py_XDECREF(hits);
        Py_XDECREF(reads);
    }
    Py_XDECREF(scan);
    return found;
}

/* TermSet._read, the same steps. */
static PyObject *
Reader_vectorcall(Reader *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    if (nargs + nkw != 1 || (nkw == 1 && PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "ntext"))) {
        PyErr_SetString(PyExc_TypeError, "read() takes exactly one argument (ntext)");
        return NULL;
    }
    PyObject *message = ts_message(self->terms, args[0]);
    PyObject *found = message == NULL ? NULL : read_of(self->terms, message, self->key);
    if (found == Py_None) {
        Py_DECREF(found);
        found = read_miss(self, message);
    }
    Py_XDECREF(message);
    return found;
}

static PyObject *
Reader_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    ts_Terms *terms;
    PyObject *term_set;
    if ((kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) ||
        !PyArg_ParseTuple(args, "O!O:Reader", &ts_Terms_Type, &terms, &term_set)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "Reader() takes no keyword arguments");
        }
        return NULL;
    }
    Reader *self = (Reader *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->terms = (ts_Terms *)Py_NewRef(terms);
    self->term_set = Py_NewRef(term_set);
    self->vectorcall = (vectorcallfunc)Reader_vectorcall;
    PyObject *fuzzy = PyObject_GetAttrString(term_set, "fuzzy");
    if (fuzzy == NULL || (self->fuzzy = PyObject_IsTrue(fuzzy)) < 0 ||
        (self->key = PyObject_GetAttrString(term_set, "_read_key")) == NULL ||
        (self->scanner = PyObject_GetAttrString(term_set, "_scanner")) == NULL ||
        (self->lexicons = PyObject_GetAttrString(term_set, "lexicons")) == NULL) {
        Py_XDECREF(fuzzy);
        Py_DECREF(self);
        return NULL;
    }
    Py_DECREF(fuzzy);
    if (!PyTuple_Check(self->lexicons) || PyTuple_GET_SIZE(self->lexicons) == 0) {
        PyErr_SetString(PyExc_TypeError, "a TermSet reads a tuple of lexicons");
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static int
Reader_traverse(Reader *self, visitproc visit, void *arg)
{
    Py_VISIT(self->terms);
    Py_VISIT(self->term_set);
    Py_VISIT(self->key);
    Py_VISIT(self->scanner);
    Py_VISIT(self->lexicons);
    Py_VISIT(self->built_for);
    Py_VISIT(self->fuzzy_table);
    Py_VISIT(self->wedged);
    return 0;
}

static int
Reader_clear(Reader *self)
{
    Py_CLEAR(self->terms);
    Py_CLEAR(self->term_set);
    Py_CLEAR(self->key);
    Py_CLEAR(self->scanner);
    Py_CLEAR(self->lexicons);
    Py_CLEAR(self->built_for);
    Py_CLEAR(self->fuzzy_table);
    Py_CLEAR(self->wedged);
    return 0;
}

static void
Reader_dealloc(Reader *self)
{
    PyObject_GC_UnTrack(self);
    Reader_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject Reader_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "smsguard._ctermscan.Reader",
    .tp_basicsize = sizeof(Reader),
    .tp_dealloc = (destructor)Reader_dealloc,
    .tp_vectorcall_offset = offsetof(Reader, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "Reader(terms, term_set)(ntext): TermSet.read (plugins/_terms.py).",
    .tp_traverse = (traverseproc)Reader_traverse,
    .tp_clear = (inquiry)Reader_clear,
    .tp_new = Reader_new,
};

int
ts_add_read_types(PyObject *module)
{
    if ((s_get = PyUnicode_InternFromString("get")) == NULL ||
        (s_fuzzy = PyUnicode_InternFromString("_fuzzy")) == NULL ||
        (s_build_fuzzy = PyUnicode_InternFromString("_build_fuzzy")) == NULL ||
        (s_compiled = PyUnicode_InternFromString("compiled")) == NULL ||
        (s_wedged = PyUnicode_InternFromString("wedged")) == NULL) {
        return -1;
    }
    return PyModule_AddType(module, &Reader_Type);
}
