/* The per-message cache of the term detectors (plugins/_terms.py) in C, kept in step with its Python reference.
 *
 * Terms holds what plugins/_terms.py gives it once: the list _MESSAGE whose item 0 is the message being judged,
 * the classes _Message, _Scanner, _Scan and _Compiled, the os module and two functions of the module.
 * Terms.message is _message and Terms.env is lexicon_path_setting; ts_scan_message is _Scanner.scan_message, the
 * first read of each message (termscan_read.c): its check of the compiled lexicons, the native scan and the plain
 * reads, all without a Python frame unless the lexicons must be compiled again. The hits' own steps (masks, order)
 * and the wedge test of the fuzzy term sets are in termscan_fuzzy.c.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "termscan.h"

static const char *const message_fields[] = {"ntext", "text", "env", "reads", NULL};
static const char *const scanner_fields[] = {"_compiled", "_defaults", "_last_message", "_plain_keys", NULL};
static PyObject *message_names[TS_MESSAGE_FIELDS], *scanner_names[TS_SCANNER_FIELDS]; /* as interned str */
static PyObject *s_environ, *s_data, *s_encodekey, *s_get, *s_compiled, *s_native, *s_scan, *s_empty;

PyObject *
ts_message_get(ts_Terms *terms, PyObject *message, int field)
{
    return sg_field_get(&terms->record, field, message, message_names[field]);
}

static PyObject *
scanner_get(ts_Terms *terms, PyObject *scanner, int field)
{
    return sg_field_get(&terms->scanner, field, scanner, scanner_names[field]);
}

Py_ssize_t
ts_field_index(PyObject *cls, const char *name)
{
    PyObject *fields = PyObject_GetAttrString(cls, "_fields"), *key = PyUnicode_FromString(name);
    Py_ssize_t at = fields == NULL || key == NULL || !PyTuple_Check(fields) ? -1 : PySequence_Index(fields, key);
    Py_XDECREF(fields);
    Py_XDECREF(key);
    if (at < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s must be a NamedTuple with a field %s", ((PyTypeObject *)cls)->tp_name, name);
    }
    return at;
}

static PyObject *
Terms_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *holder, *cls, *scanner_cls, *scan_type, *compiled_type, *name, *os, *fuzzy_hits, *apply_masks;
    PyObject *hit_type, *entry_type, *ignore;
    Py_ssize_t max_chars;
    if ((kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) ||
        !PyArg_ParseTuple(args, "O!OOO!O!nUOOOO!O!U:Terms", &PyList_Type, &holder, &cls, &scanner_cls, &PyType_Type,
                          &scan_type, &PyType_Type, &compiled_type, &max_chars, &name, &os, &fuzzy_hits,
                          &apply_masks, &PyType_Type, &hit_type, &PyType_Type, &entry_type, &ignore)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "Terms() takes no keyword arguments");
        }
        return NULL;
    }
    const char *scan_fields[] = {"text", "compiled", "by_lexicon", "masking"};
    for (Py_ssize_t i = 0; i < 4; i++) {
        Py_ssize_t at = ts_field_index(scan_type, scan_fields[i]);
        if (at != i) {
            if (at >= 0) {
                PyErr_SetString(PyExc_TypeError, "_Scan must be a NamedTuple (text, compiled, by_lexicon, masking)");
            }
            return NULL;
        }
    }
    if (!PyType_IsSubtype((PyTypeObject *)scan_type, &PyTuple_Type) ||
        !PyType_IsSubtype((PyTypeObject *)compiled_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "_Scan and _Compiled must be NamedTuples");
        return NULL;
    }
    ts_Terms *self = (ts_Terms *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->holder = Py_NewRef(holder);
    self->scan_type = (PyTypeObject *)Py_NewRef(scan_type);
    self->compiled_type = (PyTypeObject *)Py_NewRef(compiled_type);
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
        sg_record_init(&self->scanner, scanner_cls, scanner_fields) < 0 ||
        (self->names_at = ts_field_index(compiled_type, "names")) < 0 ||
        (self->env_at = ts_field_index(compiled_type, "env")) < 0 ||
        (self->native_at = ts_field_index(compiled_type, "native")) < 0 ||
        (self->environ_type = (PyTypeObject *)PyObject_GetAttrString(os, "_Environ")) == NULL ||
        ts_hits_init(self, hit_type, entry_type, ignore) < 0) {
        Py_XDECREF(stop);
        Py_DECREF(self);
        return NULL;
    }
    Py_DECREF(stop);
    if (sg_record_require_slots(&self->record, "Terms") < 0 || sg_record_require_slots(&self->scanner, "Terms") < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static int
Terms_traverse(ts_Terms *self, visitproc visit, void *arg)
{
    Py_VISIT(self->holder);
    Py_VISIT(self->record.type);
    Py_VISIT(self->scanner.type);
    Py_VISIT(self->scan_type);
    Py_VISIT(self->compiled_type);
    Py_VISIT(self->os);
    Py_VISIT(self->environ);
    Py_VISIT(self->fuzzy_hits);
    Py_VISIT(self->apply_masks);
    Py_VISIT(self->hit_type);
    Py_VISIT(self->entry_type);
    return 0;
}

static int
Terms_clear(ts_Terms *self)
{
    Py_CLEAR(self->holder);
    sg_record_clear(&self->record);
    sg_record_clear(&self->scanner);
    Py_CLEAR(self->scan_type);
    Py_CLEAR(self->compiled_type);
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
    Py_CLEAR(self->hit_type);
    Py_CLEAR(self->entry_type);
    Py_CLEAR(self->ignore);
    return 0;
}

static void
Terms_dealloc(ts_Terms *self)
{
    PyObject_GC_UnTrack(self);
    Terms_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* lexicon_path_setting(): os.environ.get(name, ""). When os.environ is the process's own mapping (an os._Environ),
 * a variable that is not set (the usual case) is told by a look-up in its _data dict, as its __getitem__ does,
 * without the KeyError that get() raises and catches (about 1 us); everything else goes through get(). */
static PyObject *
Terms_env(ts_Terms *self, PyObject *unused)
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

/* A message's reads dict, {} sized for ``expected`` items. */
static PyObject *
new_reads(Py_ssize_t expected)
{
#if PY_VERSION_HEX < 0x030D0000
    return _PyDict_NewPresized(expected);
#else
    (void)expected;
    return PyDict_New();
#endif
}

/* _message(ntext): the message being judged, a new one when ntext is not its NormalizedText. */
PyObject *
ts_message(ts_Terms *self, PyObject *ntext)
{
    PyObject *message = PySequence_GetItem(self->holder, 0);
    Py_ssize_t expected = 0; /* the reads of the last message: a new dict sized for as many grows no more */
    if (message == NULL) {
        return NULL;
    }
    if (message != Py_None) {
        PyObject *current = ts_message_get(self, message, TS_NTEXT);
        if (current == NULL) {
            Py_DECREF(message);
            return NULL;
        }
        Py_DECREF(current);
        if (current == ntext) {
            return message;
        }
        if (Py_IS_TYPE(message, self->record.type)) {
            PyObject *reads = sg_slot_borrow(&self->record, message, TS_READS);
            expected = reads != NULL && PyDict_CheckExact(reads) ? PyDict_GET_SIZE(reads) : 0;
        }
    }
    Py_DECREF(message);
    PyObject *values[TS_MESSAGE_FIELDS] = {ntext, NULL, NULL, NULL};
    PyObject *text = PyObject_GetAttr(ntext, message_names[TS_TEXT]);
    message = NULL;
    if (text != NULL && (values[TS_TEXT] = PyObject_GetItem(text, self->cut)) != NULL &&
        (values[TS_ENV] = Terms_env(self, NULL)) != NULL && (values[TS_READS] = new_reads(expected)) != NULL &&
        (message = sg_record_new(&self->record, values)) != NULL && PySequence_SetItem(self->holder, 0, message) < 0) {
        Py_CLEAR(message);
    }
    Py_XDECREF(text);
    for (int i = TS_TEXT; i < TS_MESSAGE_FIELDS; i++) {
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
    int any_masked = PySet_GET_SIZE(masking) != 0, exact = PyDict_CheckExact(reads);
    while (PyDict_Next(plain_keys, &pos, &name, &key)) {
        int masked = any_masked ? PySet_Contains(masking, name) : 0;
        if (masked != 0) {
            if (masked < 0) {
                return -1;
            }
            continue;
        }
        PyObject *hits = PyDict_GetItemWithError(by_lexicon, name), *read;
        if (hits == NULL && PyErr_Occurred()) {
            return -1;
        }
        hits = hits == NULL ? PyList_New(0) : Py_NewRef(hits);
        if (hits == NULL || (read = PyTuple_New(2)) == NULL) {
            Py_XDECREF(hits);
            return -1;
        }
        PyTuple_SET_ITEM(read, 0, Py_NewRef(text));
        PyTuple_SET_ITEM(read, 1, hits);
        int rc = exact ? PyDict_SetItem(reads, key, read) : PyObject_SetItem(reads, key, read);
        Py_DECREF(read);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

/* scanner.compiled(env) of a _Scanner: its _compiled when that was built for env and for as many lexicons as are
 * registered (the test compiled() makes), else the method itself, which builds them again. */
static PyObject *
compiled_for(ts_Terms *self, PyObject *scanner, PyObject *env)
{
    if (PyUnicode_CheckExact(env)) {
        PyObject *compiled = sg_slot_borrow(&self->scanner, scanner, TS_COMPILED);
        PyObject *defaults = sg_slot_borrow(&self->scanner, scanner, TS_DEFAULTS);
        if (compiled != NULL && Py_IS_TYPE(compiled, self->compiled_type) && defaults != NULL &&
            PyDict_CheckExact(defaults) && PyTuple_GET_SIZE(compiled) > self->native_at &&
            PyTuple_GET_SIZE(compiled) > self->names_at && PyTuple_GET_SIZE(compiled) > self->env_at) {
            PyObject *built_for = PyTuple_GET_ITEM(compiled, self->env_at);
            PyObject *names = PyTuple_GET_ITEM(compiled, self->names_at);
            if (PyUnicode_CheckExact(built_for) && PyFrozenSet_CheckExact(names) &&
                (built_for == env || PyUnicode_Compare(built_for, env) == 0) &&
                PySet_GET_SIZE(names) == PyDict_GET_SIZE(defaults)) {
                return Py_NewRef(compiled);
            }
        }
    }
    return PyObject_CallMethodOneArg(scanner, s_compiled, env);
}

/* _Scanner.scan(text, env) of the compiled lexicons: the native scan when they have one, else the method. */
static PyObject *
scan_of(ts_Terms *self, PyObject *scanner, PyObject *compiled, PyObject *text, PyObject *env)
{
    PyObject *native = Py_IS_TYPE(compiled, self->compiled_type) && PyTuple_GET_SIZE(compiled) > self->native_at
                           ? Py_NewRef(PyTuple_GET_ITEM(compiled, self->native_at))
                           : PyObject_GetAttr(compiled, s_native);
    if (native == NULL) {
        return NULL;
    }
    if (!PyObject_TypeCheck(native, &ts_LexiconScan_Type)) {
        Py_DECREF(native);
        return PyObject_CallMethodObjArgs(scanner, s_scan, text, env, NULL);
    }
    PyObject *by_lexicon, *masking, *scan;
    int rc = ts_lexicon_scan(native, text, &by_lexicon, &masking);
    Py_DECREF(native);
    if (rc < 0) {
        return NULL;
    }
    if ((scan = self->scan_type->tp_alloc(self->scan_type, 4)) == NULL) {
        Py_DECREF(by_lexicon);
        Py_DECREF(masking);
        return NULL;
    }
    PyTuple_SET_ITEM(scan, 0, Py_NewRef(text));
    PyTuple_SET_ITEM(scan, 1, Py_NewRef(compiled));
    PyTuple_SET_ITEM(scan, 2, by_lexicon);
    PyTuple_SET_ITEM(scan, 3, masking);
    return scan;
}

/* *scan: the scan kept in the scanner's _last_message when it is the scan of message (a new reference), else
 * NULL. Returns 0, or -1 with an exception set. */
static int
last_scan(ts_Terms *self, PyObject *scanner, PyObject *message, PyObject **scan)
{
    PyObject *last = scanner_get(self, scanner, TS_LAST_MESSAGE);
    *scan = NULL;
    if (last == NULL) {
        return -1;
    }
    if (last != Py_None) {
        if (PyTuple_CheckExact(last) && PyTuple_GET_SIZE(last) == 2) {
            *scan = PyTuple_GET_ITEM(last, 0) == message ? Py_NewRef(PyTuple_GET_ITEM(last, 1)) : NULL;
        }
        else {
            PyObject *first = PySequence_GetItem(last, 0);
            if (first == NULL) {
                Py_DECREF(last);
                return -1;
            }
            *scan = first == message ? PySequence_GetItem(last, 1) : NULL;
            Py_DECREF(first);
            if (first == message && *scan == NULL) {
                Py_DECREF(last);
                return -1;
            }
        }
    }
    Py_DECREF(last);
    return 0;
}

PyObject *
ts_scan_message(ts_Terms *self, PyObject *scanner, PyObject *message)
{
    PyObject *scan = NULL, *text = NULL, *env = NULL, *compiled = NULL, *pair = NULL, *reads = NULL;
    PyObject *plain_keys = NULL;
    if (last_scan(self, scanner, message, &scan) < 0 || scan != NULL) {
        return scan;
    }
    if ((text = ts_message_get(self, message, TS_TEXT)) == NULL ||
        (env = ts_message_get(self, message, TS_ENV)) == NULL) {
        goto done;
    }
    if (!Py_IS_TYPE(scanner, self->scanner.type)) { /* a subclass: its own methods */
        scan = PyObject_CallMethodObjArgs(scanner, s_scan, text, env, NULL);
    }
    else if ((compiled = compiled_for(self, scanner, env)) != NULL) {
        scan = scan_of(self, scanner, compiled, text, env);
    }
    if (scan == NULL) {
        goto done;
    }
    if (!PyObject_TypeCheck(scan, self->scan_type)) {
        PyErr_SetString(PyExc_TypeError, "_Scanner.scan must return a _Scan");
        goto error;
    }
    if ((pair = PyTuple_Pack(2, message, scan)) == NULL) {
        goto error;
    }
    if (Py_IS_TYPE(scanner, self->scanner.type)) { /* self._last_message = (message, scan), as its slot is set */
        PyObject **slot = (PyObject **)((char *)scanner + self->scanner.offsets[TS_LAST_MESSAGE]);
        Py_XSETREF(*slot, Py_NewRef(pair));
    }
    else if (PyObject_SetAttr(scanner, scanner_names[TS_LAST_MESSAGE], pair) < 0) {
        goto error;
    }
    if ((reads = ts_message_get(self, message, TS_READS)) == NULL ||
        (plain_keys = scanner_get(self, scanner, TS_PLAIN_KEYS)) == NULL ||
        plain_reads(reads, text, plain_keys, PyTuple_GET_ITEM(scan, 2), PyTuple_GET_ITEM(scan, 3)) < 0) {
        goto error;
    }
    goto done;
error:
    Py_CLEAR(scan);
done:
    Py_XDECREF(text);
    Py_XDECREF(env);
    Py_XDECREF(compiled);
    Py_XDECREF(pair);
    Py_XDECREF(reads);
    Py_XDECREF(plain_keys);
    return scan;
}

static PyMethodDef Terms_methods[] = {
    {"message", (PyCFunction)ts_message, METH_O, "_message(ntext): the message being judged."},
    {"env", (PyCFunction)Terms_env, METH_NOARGS, "lexicon_path_setting(): os.environ.get(name, \"\")."},
    {"apply_masks", (PyCFunction)ts_apply_masks, METH_O, "apply_masks(hits) (plugins/_termhits.py)."},
    {"sort_hits", (PyCFunction)ts_Terms_sort_hits, METH_O, "hits.sort(key=hit_order) (plugins/_termhits.py)."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject ts_Terms_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "smsguard._ctermscan.Terms",
    .tp_basicsize = sizeof(ts_Terms),
    .tp_dealloc = (destructor)Terms_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Terms(holder, message_class, scanner_class, scan_class, compiled_class, max_chars, env_name, os, "
              "fuzzy_hits, apply_masks, hit_class, entry_class, ignore): see plugins/_terms.py.",
    .tp_traverse = (traverseproc)Terms_traverse,
    .tp_clear = (inquiry)Terms_clear,
    .tp_methods = Terms_methods,
    .tp_new = Terms_new,
};

int
ts_add_terms_types(PyObject *module)
{
    for (int i = 0; i < TS_MESSAGE_FIELDS; i++) {
        if ((message_names[i] = PyUnicode_InternFromString(message_fields[i])) == NULL) {
            return -1;
        }
    }
    for (int i = 0; i < TS_SCANNER_FIELDS; i++) {
        if ((scanner_names[i] = PyUnicode_InternFromString(scanner_fields[i])) == NULL) {
            return -1;
        }
    }
    if ((s_environ = PyUnicode_InternFromString("environ")) == NULL ||
        (s_data = PyUnicode_InternFromString("_data")) == NULL ||
        (s_encodekey = PyUnicode_InternFromString("encodekey")) == NULL ||
        (s_get = PyUnicode_InternFromString("get")) == NULL ||
        (s_compiled = PyUnicode_InternFromString("compiled")) == NULL ||
        (s_native = PyUnicode_InternFromString("native")) == NULL ||
        (s_scan = PyUnicode_InternFromString("scan")) == NULL || (s_empty = PyUnicode_New(0, 0)) == NULL) {
        return -1;
    }
    return PyModule_AddType(module, &ts_Terms_Type);
}
