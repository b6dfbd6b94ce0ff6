/* The per-message cache of the term detectors (plugins/_terms.py) in C, kept in step with its Python reference.
 *
 * Terms holds what plugins/_terms.py gives it once: the list _MESSAGE whose item 0 is the message being judged,
 * the classes _Message and _Scan, the os module and two functions of the module. Terms.message is _message and
 * Terms.env is lexicon_path_setting; a Reader is one TermSet's read (_read, _read_miss, _hits, with
 * _Scanner.scan_message), called by every detector for every message: the look-up of the read in the message
 * costs no Python frame, and the first read of a message scans it. Wedges is the test of _Fuzzy.wedge (does the
 * text hold a wedge at all).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "termscan.h"

enum { NTEXT, TEXT, ENV, READS, FIELDS };
static const char *const message_fields[] = {"ntext", "text", "env", "reads", NULL};
static PyObject *names[FIELDS]; /* the field names as interned str */
static PyObject *s_environ, *s_data, *s_encodekey, *s_get, *s_last_message, *s_compiled, *s_native, *s_scan,
    *s_plain_keys, *s_empty, *s_fuzzy, *s_build_fuzzy, *s_wedged, *s_sort, *s_key, *s_key_reverse;

typedef struct {
    PyObject_HEAD
    PyObject *holder;           /* _MESSAGE */
    sg_record record;           /* _Message */
    PyTypeObject *scan_type;    /* _Scan: (text, compiled, by_lexicon, masking) */
    PyObject *cut;              /* slice(None, MAX_SCAN_CHARS) */
    PyObject *name;             /* "SMSGUARD_LEXICON_PATH" */
    PyObject *os;               /* the os module */
    PyTypeObject *environ_type; /* os._Environ */
    PyObject *environ;          /* the os.environ that env_key was made for */
    PyObject *env_key;          /* environ.encodekey(name) */
    PyObject *fuzzy_hits;       /* _fuzzy_hits(fuzzy, text) */
    PyObject *apply_masks;      /* apply_masks(hits) */
    PyObject *by_start, *by_end; /* itemgetter(1), itemgetter(2) */
} Terms;

static PyTypeObject Terms_Type;

/* A field of a message, as a new reference: read from its slot when it is a _Message. */
static PyObject *
message_get(Terms *self, PyObject *message, int field)
{
    if (!Py_IS_TYPE(message, self->record.type)) {
        return PyObject_GetAttr(message, names[field]);
    }
    PyObject *value = *(PyObject **)((char *)message + self->record.offsets[field]);
    if (value == NULL) {
        PyErr_SetObject(PyExc_AttributeError, names[field]);
        return NULL;
    }
    return Py_NewRef(value);
}

static PyObject *
Terms_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *holder, *cls, *scan_type, *name, *os, *fuzzy_hits, *apply_masks, *fields = NULL, *expected = NULL;
    Py_ssize_t max_chars;
    if ((kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) ||
        !PyArg_ParseTuple(args, "O!OO!nUOOO:Terms", &PyList_Type, &holder, &cls, &PyType_Type, &scan_type,
                          &max_chars, &name, &os, &fuzzy_hits, &apply_masks)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "Terms() takes no keyword arguments");
        }
        return NULL;
    }
    fields = PyObject_GetAttrString(scan_type, "_fields");
    expected = Py_BuildValue("(ssss)", "text", "compiled", "by_lexicon", "masking");
    int same = fields == NULL || expected == NULL ? -1 : PyObject_RichCompareBool(fields, expected, Py_EQ);
    Py_XDECREF(fields);
    Py_XDECREF(expected);
    if (same <= 0 || !PyType_IsSubtype((PyTypeObject *)scan_type, &PyTuple_Type)) {
        if (same >= 0) {
            PyErr_SetString(PyExc_TypeError, "_Scan must be a NamedTuple (text, compiled, by_lexicon, masking)");
        }
        return NULL;
    }
    Terms *self = (Terms *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->holder = Py_NewRef(holder);
    self->scan_type = (PyTypeObject *)Py_NewRef(scan_type);
    self->name = Py_NewRef(name);
    self->os = Py_NewRef(os);
    self->fuzzy_hits = Py_NewRef(fuzzy_hits);
    self->apply_masks = Py_NewRef(apply_masks);
    PyObject *stop = PyLong_FromSsize_t(max_chars), *operator = PyImport_ImportModule("operator");
    self->by_start = operator == NULL ? NULL : PyObject_CallMethod(operator, "itemgetter", "i", 1);
    self->by_end = operator == NULL ? NULL : PyObject_CallMethod(operator, "itemgetter", "i", 2);
    Py_XDECREF(operator);
    if (stop == NULL || self->by_start == NULL || self->by_end == NULL ||
        (self->cut = PySlice_New(Py_None, stop, Py_None)) == NULL ||
        sg_record_init(&self->record, cls, message_fields) < 0 ||
        (self->environ_type = (PyTypeObject *)PyObject_GetAttrString(os, "_Environ")) == NULL) {
        Py_XDECREF(stop);
        Py_DECREF(self);
        return NULL;
    }
    Py_DECREF(stop);
    for (int i = 0; i < FIELDS; i++) {
        if (self->record.offsets[i] < 0) {
            PyErr_SetString(PyExc_TypeError, "_Message must keep its fields in __slots__");
            Py_DECREF(self);
            return NULL;
        }
    }
    return (PyObject *)self;
}

static int
Terms_traverse(Terms *self, visitproc visit, void *arg)
{
    Py_VISIT(self->holder);
    Py_VISIT(self->record.type);
    Py_VISIT(self->scan_type);
    Py_VISIT(self->os);
    Py_VISIT(self->environ);
    Py_VISIT(self->fuzzy_hits);
    Py_VISIT(self->apply_masks);
    return 0;
}

static int
Terms_clear(Terms *self)
{
    Py_CLEAR(self->holder);
    sg_record_clear(&self->record);
    Py_CLEAR(self->scan_type);
    Py_CLEAR(self->cut);
    Py_CLEAR(self->name);
    Py_CLEAR(self->os);
    Py_CLEAR(self->environ_type);
    Py_CLEAR(self->environ);
    Py_CLEAR(self->env_key);
    Py_CLEAR(self->fuzzy_hits);
    Py_CLEAR(self->apply_masks);
    Py_CLEAR(self->by_start);
    Py_CLEAR(self->by_end);
    return 0;
}

static void
Terms_dealloc(Terms *self)
{
    PyObject_GC_UnTrack(self);
    Terms_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* lexicon_path_setting(): os.environ.get(name, ""). When os.environ is the process's own mapping (an os._Environ),
 * a variable that is not set (the usual case) is told by a look-up in its _data dict, as its __getitem__ does,
 * without the KeyError that get() raises and catches (about 1 us); everything else goes through get(). */
static PyObject *
Terms_env(Terms *self, PyObject *unused)
{
    PyObject *environ = PyObject_GetAttr(self->os, s_environ), *result;
    if (environ == NULL) {
        return NULL;
    }
    if (Py_IS_TYPE(environ, self->environ_type)) {
        if (environ != self->environ) {
            Py_XSETREF(self->environ, Py_NewRef(environ));
            Py_XSETREF(self->env_key, PyObject_CallMethodOneArg(environ, s_encodekey, self->name));
            if (self->env_key == NULL || !PyBytes_CheckExact(self->env_key)) {
                PyErr_Clear();
                Py_CLEAR(self->env_key);
            }
        }
        PyObject *data = self->env_key == NULL ? NULL : PyObject_GetAttr(environ, s_data);
        int unset = data != NULL && PyDict_CheckExact(data) && PyDict_GetItemWithError(data, self->env_key) == NULL &&
                    !PyErr_Occurred();
        Py_XDECREF(data);
        PyErr_Clear();
        if (unset) {
            Py_DECREF(environ);
            return Py_NewRef(s_empty);
        }
    }
    result = PyObject_CallMethodObjArgs(environ, s_get, self->name, s_empty, NULL);
    Py_DECREF(environ);
    return result;
}

/* _message(ntext): the message being judged, a new one when ntext is not its NormalizedText. */
static PyObject *
Terms_message(Terms *self, PyObject *ntext)
{
    PyObject *message = PySequence_GetItem(self->holder, 0);
    if (message == NULL) {
        return NULL;
    }
    if (message != Py_None) {
        PyObject *current = message_get(self, message, NTEXT);
        if (current == NULL) {
            Py_DECREF(message);
            return NULL;
        }
        Py_DECREF(current);
        if (current == ntext) {
            return message;
        }
    }
    Py_DECREF(message);
    PyObject *values[FIELDS] = {ntext, NULL, NULL, NULL};
    PyObject *text = PyObject_GetAttr(ntext, names[TEXT]);
    message = NULL;
    if (text != NULL && (values[TEXT] = PyObject_GetItem(text, self->cut)) != NULL &&
        (values[ENV] = Terms_env(self, NULL)) != NULL && (values[READS] = PyDict_New()) != NULL &&
        (message = sg_record_new(&self->record, values)) != NULL && PySequence_SetItem(self->holder, 0, message) < 0) {
        Py_CLEAR(message);
    }
    Py_XDECREF(text);
    for (int i = TEXT; i < FIELDS; i++) {
        Py_XDECREF(values[i]);
    }
    return message;
}

/* _Scanner.scan_message's plain reads: reads[key] = (text, by_lexicon.get(name) or a new []) for each
 * (name, key) of plain_keys whose lexicon had no mask hit. */
static int
plain_reads(PyObject *reads, PyObject *text, PyObject *plain_keys, PyObject *by_lexicon, PyObject *masking)
{
    PyObject *name, *key;
    Py_ssize_t pos = 0;
    if (!PyDict_Check(plain_keys) || !PyDict_Check(by_lexicon) || !PyAnySet_Check(masking)) {
        PyErr_SetString(PyExc_TypeError, "plain reads of a scan: dicts and a set expected");
        return -1;
    }
    while (PyDict_Next(plain_keys, &pos, &name, &key)) {
        int masked = PySet_Contains(masking, name);
        PyObject *hits = masked ? NULL : PyDict_GetItemWithError(by_lexicon, name), *read;
        if (masked < 0 || PyErr_Occurred()) {
            return -1;
        }
        if (masked) {
            continue;
        }
        hits = hits == NULL ? PyList_New(0) : Py_NewRef(hits);
        read = hits == NULL ? NULL : PyTuple_Pack(2, text, hits);
        Py_XDECREF(hits);
        int rc = read == NULL ? -1 : PyObject_SetItem(reads, key, read);
        Py_XDECREF(read);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

/* _Scanner.scan_message(message), the same steps: the scan of the message's text, made once per message (the
 * scanner's _last_message); the plain reads go into the message as the scan ends. */
static PyObject *
scan_message(Terms *self, PyObject *scanner, PyObject *message)
{
    PyObject *last = PyObject_GetAttr(scanner, s_last_message), *scan = NULL;
    if (last == NULL) {
        return NULL;
    }
    if (last != Py_None) {
        PyObject *first = PySequence_GetItem(last, 0);
        if (first == NULL || first == message) {
            scan = first == NULL ? NULL : PySequence_GetItem(last, 1);
            Py_XDECREF(first);
            Py_DECREF(last);
            return scan;
        }
        Py_DECREF(first);
    }
    Py_DECREF(last);
    PyObject *text = message_get(self, message, TEXT), *env = message_get(self, message, ENV);
    PyObject *compiled = NULL, *native = NULL, *pair = NULL, *reads = NULL, *plain_keys = NULL;
    if (text == NULL || env == NULL ||
        (compiled = PyObject_CallMethodOneArg(scanner, s_compiled, env)) == NULL ||
        (native = PyObject_GetAttr(compiled, s_native)) == NULL) {
        goto done;
    }
    if (PyObject_TypeCheck(native, &ts_LexiconScan_Type)) {
        PyObject *by_lexicon, *masking;
        if (ts_lexicon_scan(native, text, &by_lexicon, &masking) < 0) {
            goto done;
        }
        if ((scan = self->scan_type->tp_alloc(self->scan_type, 4)) == NULL) {
            Py_DECREF(by_lexicon);
            Py_DECREF(masking);
            goto done;
        }
        PyTuple_SET_ITEM(scan, 0, Py_NewRef(text));
        PyTuple_SET_ITEM(scan, 1, Py_NewRef(compiled));
        PyTuple_SET_ITEM(scan, 2, by_lexicon);
        PyTuple_SET_ITEM(scan, 3, masking);
    }
    else {
        scan = PyObject_CallMethodObjArgs(scanner, s_scan, text, env, NULL);
    }
    if (scan == NULL || !PyObject_TypeCheck(scan, self->scan_type) || (pair = PyTuple_Pack(2, message, scan)) == NULL ||
        PyObject_SetAttr(scanner, s_last_message, pair) < 0 || (reads = message_get(self, message, READS)) == NULL ||
        (plain_keys = PyObject_GetAttr(scanner, s_plain_keys)) == NULL ||
        plain_reads(reads, text, plain_keys, PyTuple_GET_ITEM(scan, 2), PyTuple_GET_ITEM(scan, 3)) < 0) {
        if (scan != NULL && !PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "_Scanner.scan must return a _Scan");
        }
        Py_CLEAR(scan);
    }
done:
    Py_XDECREF(text);
    Py_XDECREF(env);
    Py_XDECREF(compiled);
    Py_XDECREF(native);
    Py_XDECREF(pair);
    Py_XDECREF(reads);
    Py_XDECREF(plain_keys);
    return scan;
}

static PyMethodDef Terms_methods[] = {
    {"message", (PyCFunction)Terms_message, METH_O, "_message(ntext): the message being judged."},
    {"env", (PyCFunction)Terms_env, METH_NOARGS, "lexicon_path_setting(): os.environ.get(name, \"\")."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Terms_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "smsguard._ctermscan.Terms",
    .tp_basicsize = sizeof(Terms),
    .tp_dealloc = (destructor)Terms_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Terms(holder, message_class, scan_class, max_chars, env_name, os, fuzzy_hits, apply_masks): see "
              "plugins/_terms.py.",
    .tp_traverse = (traverseproc)Terms_traverse,
    .tp_clear = (inquiry)Terms_clear,
    .tp_methods = Terms_methods,
    .tp_new = Terms_new,
};

/* ---- Reader: TermSet.read ---- */

typedef struct {
    PyObject_HEAD
    Terms *terms;
    PyObject *term_set;
    PyObject *key;      /* where a message keeps the term set's read */
    PyObject *scanner;  /* its _scanner */
    PyObject *lexicons; /* its lexicons (a tuple) and whether any is fuzzy: read once, as a TermSet keeps them */
    int fuzzy;
    vectorcallfunc vectorcall;
} Reader;

/* hits.sort(key=hit_order), as two stable sorts: by end, longest first, then by start. */
static int
sort_hits(Terms *terms, PyObject *hits)
{
    PyObject *by_end[3] = {hits, terms->by_end, Py_True}, *by_start[2] = {hits, terms->by_start};
    PyObject *done = PyObject_VectorcallMethod(s_sort, by_end, 1, s_key_reverse);
    Py_XSETREF(done, done == NULL ? NULL : PyObject_VectorcallMethod(s_sort, by_start, 1, s_key));
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

/* The fuzzy hits of a term set in a text, when a wedge may hide one: _fuzzy_hits(fuzzy, text) (a new reference)
 * or NULL, with fuzzy the term set's _Fuzzy, built again when the scan's compiled lexicons changed. Returns 0, or
 * -1 with an exception set. */
static int
fuzzy_extra(Reader *self, PyObject *compiled, PyObject *text, PyObject **extra)
{
    PyObject *fuzzy = PyObject_GetAttr(self->term_set, s_fuzzy), *built = NULL, *wedged = NULL, *any = NULL;
    int truth = -1;
    *extra = NULL;
    if (fuzzy != NULL && fuzzy != Py_None && (built = PyObject_GetAttr(fuzzy, s_compiled)) == NULL) {
        goto done;
    }
    if (fuzzy != NULL && built != compiled) {
        Py_SETREF(fuzzy, PyObject_CallMethodOneArg(self->term_set, s_build_fuzzy, compiled));
    }
    if (fuzzy == NULL || (wedged = PyObject_GetAttr(fuzzy, s_wedged)) == NULL ||
        (any = PyObject_CallOneArg(wedged, text)) == NULL || (truth = PyObject_IsTrue(any)) <= 0) {
        goto done;
    }
    *extra = PyObject_CallFunctionObjArgs(self->terms->fuzzy_hits, fuzzy, text, NULL);
    truth = *extra == NULL ? -1 : 0;
done:
    Py_XDECREF(fuzzy);
    Py_XDECREF(built);
    Py_XDECREF(wedged);
    Py_XDECREF(any);
    return truth < 0 ? -1 : 0;
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
        Py_SETREF(hits, PyObject_CallOneArg(self->terms->apply_masks, hits));
    }
    Py_ssize_t size = hits == NULL || ordered ? 0 : PyObject_Size(hits);
    if (size < 0 || (size > 1 && sort_hits(self->terms, hits) < 0)) {
        Py_CLEAR(hits);
    }
    return hits;
}

/* message.reads.get(key), a new reference (None when missing). */
static PyObject *
read_of(Terms *terms, PyObject *message, PyObject *key)
{
    PyObject *reads = message_get(terms, message, READS), *found;
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

/* TermSet._read and _read_miss, the same steps. */
static PyObject *
Reader_vectorcall(Reader *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    if (nargs + nkw != 1 || (nkw == 1 && PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "ntext"))) {
        PyErr_SetString(PyExc_TypeError, "read() takes exactly one argument (ntext)");
        return NULL;
    }
    PyObject *message = Terms_message(self->terms, args[0]);
    PyObject *found = message == NULL ? NULL : read_of(self->terms, message, self->key);
    if (found == Py_None) {
        Py_DECREF(found);
        PyObject *scan = scan_message(self->terms, self->scanner, message);
        found = scan == NULL ? NULL : read_of(self->terms, message, self->key);
        if (found == Py_None) {
            Py_DECREF(found);
            PyObject *text = message_get(self->terms, message, TEXT), *reads = NULL;
            PyObject *hits = text == NULL ? NULL : reader_hits(self, scan, text);
            found = hits == NULL ? NULL : PyTuple_Pack(2, text, hits);
            if (found != NULL &&
                ((reads = message_get(self->terms, message, READS)) == NULL || PyObject_SetItem(reads, self->key, found) < 0)) {
                Py_CLEAR(found);
            }
            Py_XDECREF(text);
            Py_XDECREF(hits);
            Py_XDECREF(reads);
        }
        Py_XDECREF(scan);
    }
    Py_XDECREF(message);
    return found;
}

static PyObject *
Reader_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    Terms *terms;
    PyObject *term_set;
    if ((kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) ||
        !PyArg_ParseTuple(args, "O!O:Reader", &Terms_Type, &terms, &term_set)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "Reader() takes no keyword arguments");
        }
        return NULL;
    }
    Reader *self = (Reader *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->terms = (Terms *)Py_NewRef(terms);
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

/* ---- Wedges: whether _Fuzzy.wedge finds anything in a text ---- */

#define HAN_FIRST 0x4E00
#define HAN_LAST 0x9FFF
#define HAN_WORDS ((HAN_LAST - HAN_FIRST) / 32 + 1)

typedef struct {
    PyObject_HEAD
    uint32_t firsts[HAN_WORDS]; /* the Han characters a wedge may follow */
    uint32_t seconds[HAN_WORDS]; /* and precede */
} Wedges;

static inline int
han_in(const uint32_t *set, Py_UCS4 c)
{
    return c >= HAN_FIRST && c <= HAN_LAST && (set[(c - HAN_FIRST) >> 5] >> ((c - HAN_FIRST) & 31) & 1);
}

/* A character of a wedge: _WEDGE_CHAR, [^\u4e00-\u9fff,;:!?。、，\n]. */
static inline int
wedge_char(Py_UCS4 c)
{
    return !(c >= HAN_FIRST && c <= HAN_LAST) && c != ',' && c != ';' && c != ':' && c != '!' && c != '?' &&
           c != 0x3002 && c != 0x3001 && c != 0xFF0C && c != '\n';
}

static void
han_set(uint32_t *set, PyObject *chars)
{
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(chars); i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(chars, i);
        if (c >= HAN_FIRST && c <= HAN_LAST) {
            set[(c - HAN_FIRST) >> 5] |= 1u << ((c - HAN_FIRST) & 31);
        }
    }
}

static PyObject *
Wedges_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *firsts, *seconds;
    if ((kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) || !PyArg_ParseTuple(args, "UU:Wedges", &firsts, &seconds)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "Wedges() takes no keyword arguments");
        }
        return NULL;
    }
    Wedges *self = PyUnicode_READY(firsts) < 0 || PyUnicode_READY(seconds) < 0 ? NULL
                                                                                : (Wedges *)type->tp_alloc(type, 0);
    if (self != NULL) { /* zeroed */
        han_set(self->firsts, firsts);
        han_set(self->seconds, seconds);
    }
    return (PyObject *)self;
}

/* _wedge_pattern's search: a wedge character after a Han first, then a Han second, or one more wedge character
 * and a Han second (the pattern never matches when either set is empty). */
static PyObject *
Wedges_search(Wedges *self, PyObject *text)
{
    if (!PyUnicode_Check(text) || PyUnicode_READY(text) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_TypeError, "expected string, got '%.200s'", Py_TYPE(text)->tp_name);
        }
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 1; i + 1 < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i), next = PyUnicode_READ(kind, data, i + 1);
        if (wedge_char(c) && han_in(self->firsts, PyUnicode_READ(kind, data, i - 1)) &&
            (han_in(self->seconds, next) ||
             (i + 2 < n && wedge_char(next) && han_in(self->seconds, PyUnicode_READ(kind, data, i + 2))))) {
            Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}

static PyMethodDef Wedges_methods[] = {
    {"search", (PyCFunction)Wedges_search, METH_O, "Whether the text holds a wedge (see _wedge_pattern)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Wedges_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "smsguard._ctermscan.Wedges",
    .tp_basicsize = sizeof(Wedges),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Wedges(firsts, seconds): the wedge test of the fuzzy term sets (plugins/_terms.py).",
    .tp_methods = Wedges_methods,
    .tp_new = Wedges_new,
};

int
ts_add_terms_types(PyObject *module)
{
    for (int i = 0; i < FIELDS; i++) {
        if ((names[i] = PyUnicode_InternFromString(message_fields[i])) == NULL) {
            return -1;
        }
    }
    if ((s_environ = PyUnicode_InternFromString("environ")) == NULL ||
        (s_data = PyUnicode_InternFromString("_data")) == NULL ||
        (s_encodekey = PyUnicode_InternFromString("encodekey")) == NULL ||
        (s_get = PyUnicode_InternFromString("get")) == NULL ||
        (s_last_message = PyUnicode_InternFromString("_last_message")) == NULL ||
        (s_compiled = PyUnicode_InternFromString("compiled")) == NULL ||
        (s_native = PyUnicode_InternFromString("native")) == NULL ||
        (s_scan = PyUnicode_InternFromString("scan")) == NULL ||
        (s_plain_keys = PyUnicode_InternFromString("_plain_keys")) == NULL ||
        (s_fuzzy = PyUnicode_InternFromString("_fuzzy")) == NULL ||
        (s_build_fuzzy = PyUnicode_InternFromString("_build_fuzzy")) == NULL ||
        (s_wedged = PyUnicode_InternFromString("wedged")) == NULL ||
        (s_sort = PyUnicode_InternFromString("sort")) == NULL || (s_key = Py_BuildValue("(s)", "key")) == NULL ||
        (s_key_reverse = Py_BuildValue("(ss)", "key", "reverse")) == NULL ||
        (s_empty = PyUnicode_New(0, 0)) == NULL) {
        return -1;
    }
    if (PyModule_AddType(module, &Terms_Type) < 0 || PyModule_AddType(module, &Reader_Type) < 0 ||
        PyModule_AddType(module, &Wedges_Type) < 0) {
        return -1;
    }
    return 0;
}
