/* Shared by the detector accelerators (plugins/_native/<detector>.c, each its own extension module, so each gets
 * its own copy of these static functions):
 *   - the Detector: the callable bind() returns, a dt_head followed by the objects it holds;
 *   - bind()'s arguments: all by keyword (dt_keywords) or (reference, tables) (dt_bind_args, dt_table ...), and
 *     the checks of the classes handed over;
 *   - the input-shape checks that send odd calls to the Python reference (dt_read, dt_plain_entry, dt_plain_span);
 *   - readers of records' slots (dt_slot_offset) and small call helpers (dt_truth, dt_get, dt_as_sequence ...).
 */
#ifndef SMSGUARD_DETECTOR_H
#define SMSGUARD_DETECTOR_H

#include "common.h"

#include <stddef.h>
#include <structmember.h>

/* ---- the Detector ---- */

/* The head of every Detector. The objects it holds (strong references, visited and cleared here) are
 * objects[0 .. n_objects), an array inside the Detector; release frees what else it owns (or is NULL). */
typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    Py_ssize_t n_objects;
    PyObject **objects;
    void (*release)(PyObject *self);
} dt_head;

static inline int
dt_traverse(PyObject *self, visitproc visit, void *arg)
{
    dt_head *d = (dt_head *)self;
    Py_VISIT(Py_TYPE(self));
    for (Py_ssize_t i = 0; i < d->n_objects; i++) {
        Py_VISIT(d->objects[i]);
    }
    return 0;
}

static inline int
dt_clear(PyObject *self)
{
    dt_head *d = (dt_head *)self;
    for (Py_ssize_t i = 0; i < d->n_objects; i++) {
        Py_CLEAR(d->objects[i]);
    }
    return 0;
}

static inline void
dt_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    dt_clear(self);
    if (((dt_head *)self)->release != NULL) {
        ((dt_head *)self)->release(self);
    }
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* The Detector class ``name`` ("smsguard_plugins._c<module>.Detector"), with the members ``extra`` (NULL, or
 * up to two, NULL-terminated) besides __vectorcalloffset__. */
static inline PyTypeObject *
dt_new_type(const char *name, const char *doc, Py_ssize_t basicsize, const PyMemberDef *extra)
{
    PyMemberDef members[4] = {{"__vectorcalloffset__", T_PYSSIZET, offsetof(dt_head, vectorcall), READONLY, NULL}};
    for (int i = 0; extra != NULL && i < 2 && extra[i].name != NULL; i++) {
        members[i + 1] = extra[i];
    }
    PyType_Slot slots[] = {
        {Py_tp_doc, (void *)doc}, {Py_tp_call, PyVectorcall_Call}, {Py_tp_dealloc, dt_dealloc},
        {Py_tp_traverse, dt_traverse}, {Py_tp_clear, dt_clear}, {Py_tp_members, members}, {0, NULL},
    };
    PyType_Spec spec = {
        .name = name,
        .basicsize = (int)basicsize,
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_VECTORCALL
                 | Py_TPFLAGS_DISALLOW_INSTANTIATION,
        .slots = slots,
    };
    return (PyTypeObject *)PyType_FromSpec(&spec);
}

/* A new Detector of ``type``, its memory zeroed, holding the ``n`` objects at ``objects`` (inside it). */
#define DT_NEW(Type, type, call, objects_field, n) \
    ((Type *)dt_init((dt_head *)(type)->tp_alloc((type), 0), (call), offsetof(Type, objects_field), (n)))

static inline dt_head *
dt_init(dt_head *d, vectorcallfunc call, size_t objects_offset, Py_ssize_t n)
{
    if (d != NULL) {
        d->vectorcall = call;
        d->objects = (PyObject **)((char *)d + objects_offset);
        d->n_objects = n;
    }
    return d;
}

/* PyInit's last step: the module, with its Detector class (when it has one) added. */
static inline PyObject *
dt_module(PyModuleDef *def, PyTypeObject *detector_type)
{
    PyObject *module = PyModule_Create(def);
    if (module != NULL && detector_type != NULL && PyModule_AddType(module, detector_type) < 0) {
        Py_CLEAR(module);
    }
    return module;
}

/* ---- bind()'s arguments ---- */

/* bind(**kwargs) taking exactly the ``n`` keyword arguments ``names`` and nothing else: their values into out
 * (strong references; out[] must be zeroed and is cleared by the caller). 0, or -1 with TypeError. */
static inline int
dt_keywords(PyObject *args, PyObject *kwargs, const char *const *names, int n, PyObject **out)
{
    if (PyTuple_GET_SIZE(args) != 0 || kwargs == NULL || PyDict_GET_SIZE(kwargs) != n) {
        PyErr_Format(PyExc_TypeError, "bind() takes its %d objects by keyword and nothing else", n);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        PyObject *value = PyDict_GetItemString(kwargs, names[i]);
        if (value == NULL) {
            PyErr_Format(PyExc_TypeError, "bind() misses the keyword argument %s", names[i]);
            return -1;
        }
        out[i] = Py_NewRef(value);
    }
    return 0;
}

/* bind(reference, tables): a callable and a dict. 0, or -1 with TypeError. */
static inline int
dt_bind_args(PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyCallable_Check(args[0]) || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "bind(reference, tables): a callable and a dict");
        return -1;
    }
    return 0;
}

/* tables[key], borrowed, or NULL with KeyError */
static inline PyObject *
dt_table(PyObject *tables, const char *key)
{
    PyObject *value = PyDict_GetItemString(tables, key);
    if (value == NULL) {
        PyErr_Format(PyExc_KeyError, "bind: the tables have no %s", key);
    }
    return value;
}

/* tables[key].attr (a pattern's bound search, say): a new reference */
static inline PyObject *
dt_table_attr(PyObject *tables, const char *key, const char *attr)
{
    PyObject *owner = dt_table(tables, key);
    return owner == NULL ? NULL : PyObject_GetAttrString(owner, attr);
}

/* Whether ``o`` is a class whose instances are tuples (a NamedTuple: TermHit, Entry). */
static inline int
dt_tuple_class(PyObject *o)
{
    return PyType_Check(o) && PyType_IsSubtype((PyTypeObject *)o, &PyTuple_Type);
}

/* term_hit and entry handed by keyword: tuple classes. 0, or -1 with TypeError. */
static inline int
dt_check_hit_classes(PyObject *hit, PyObject *entry)
{
    if (!dt_tuple_class(hit) || !dt_tuple_class(entry)) {
        PyErr_SetString(PyExc_TypeError, "bind: term_hit and entry must be tuple classes");
        return -1;
    }
    return 0;
}

/* The tables' "types", (TermHit, Entry): new references into *hit and *entry. 0, or -1 with an exception. */
static inline int
dt_hit_types(PyObject *tables, PyTypeObject **hit, PyTypeObject **entry)
{
    PyObject *types = dt_table(tables, "types");
    if (types == NULL) {
        return -1;
    }
    if (!PyTuple_Check(types) || PyTuple_GET_SIZE(types) != 2 || !dt_tuple_class(PyTuple_GET_ITEM(types, 0))
        || !dt_tuple_class(PyTuple_GET_ITEM(types, 1))) {
        PyErr_SetString(PyExc_TypeError, "bind: types must be (TermHit, Entry), tuple classes");
        return -1;
    }
    *hit = (PyTypeObject *)Py_NewRef(PyTuple_GET_ITEM(types, 0));
    *entry = (PyTypeObject *)Py_NewRef(PyTuple_GET_ITEM(types, 1));
    return 0;
}

/* A tuple of exact strs (of pairs of them when ``pairs``). */
static inline int
dt_str_tuple(PyObject *o, int pairs)
{
    int ok = PyTuple_CheckExact(o);
    for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(o); i++) {
        PyObject *item = PyTuple_GET_ITEM(o, i);
        ok = pairs ? PyTuple_CheckExact(item) && PyTuple_GET_SIZE(item) == 2 && dt_str_tuple(item, 0)
                   : PyUnicode_CheckExact(item);
    }
    return ok;
}

/* The exact ints ``values[i]`` (named ``names[i]``), each from 1 to 1000, into out[i]. 0, or -1 with ValueError. */
static inline int
dt_small_ints(PyObject *const *values, const char *const *names, int n, Py_ssize_t *out)
{
    for (int i = 0; i < n; i++) {
        out[i] = PyLong_CheckExact(values[i]) ? PyLong_AsSsize_t(values[i]) : -1;
        if (out[i] < 1 || out[i] > 1000) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "bind: %s must be an int from 1 to 1000", names[i]);
            return -1;
        }
    }
    return 0;
}

/* The offset of the slot ``name`` of the class ``cls`` (an object reference slot). 0, or -1 with TypeError. */
static inline int
dt_slot_offset(PyObject *cls, const char *name, Py_ssize_t *out)
{
    *out = sg_slot_offset_of(cls, name);
    return *out < 0 ? -1 : 0;
}

/* The slot at ``offset`` of a record (borrowed; NULL when unset) */
#define DT_SLOT(o, offset) (*(PyObject **)((char *)(o) + (offset)))

/* The ``n`` strs ``texts``, interned, into out[] (those already made are kept). 0, or -1. */
static inline int
dt_intern(const char *const *texts, int n, PyObject **out)
{
    for (int i = 0; i < n; i++) {
        if (out[i] == NULL && (out[i] = PyUnicode_InternFromString(texts[i])) == NULL) {
            return -1;
        }
    }
    return 0;
}

/* ---- a detect that is a module function over one static state (specificity, urgency, sender) ---- */

/* bind(reference, tables): ``bind`` fills ``fresh`` (``size`` bytes, zeroed here) from the arguments; on success
 * ``state`` is cleared and replaced by it and the module's detect is returned, else ``fresh`` is cleared. */
static inline PyObject *
dt_bind_state(PyObject *module, PyObject *const *args, Py_ssize_t nargs, void *state, void *fresh, size_t size,
              int (*bind)(void *, PyObject *, PyObject *), void (*clear)(void *))
{
    if (dt_bind_args(args, nargs) < 0) {
        return NULL;
    }
    memset(fresh, 0, size);
    if (bind(fresh, args[0], args[1]) < 0) {
        clear(fresh);
        return NULL;
    }
    clear(state);
    memcpy(state, fresh, size);
    return PyObject_GetAttrString(module, "detect");
}

/* The Python reference's answer (``reference`` is NULL until bind() is called). */
static inline PyObject *
dt_call_reference(PyObject *reference, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (reference == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "detect: bind() was not called");
        return NULL;
    }
    return PyObject_Vectorcall(reference, args, nargsf, kwnames);
}

/* ---- the input-shape checks ---- */

/* read(ntext), the term set's read: a new reference (NULL with an exception set). *t and *hits are borrowed from
 * it when it is the usual (exact str, exact list), else NULL: the reference must answer. */
static inline PyObject *
dt_read(PyObject *read, PyObject *ntext, PyObject **t, PyObject **hits)
{
    PyObject *r = PyObject_Vectorcall(read, &ntext, 1, NULL);
    *t = *hits = NULL;
    if (r != NULL && PyTuple_CheckExact(r) && PyTuple_GET_SIZE(r) == 2 && PyUnicode_CheckExact(PyTuple_GET_ITEM(r, 0))
        && PyList_CheckExact(PyTuple_GET_ITEM(r, 1))) {
        *t = PyTuple_GET_ITEM(r, 0);
        *hits = PyTuple_GET_ITEM(r, 1);
    }
    return r;
}

/* h.entry of a plain TermHit (exact class, 4 fields, an exact Entry of 5), borrowed; NULL when it is not one */
static inline PyObject *
dt_plain_entry(PyTypeObject *hit_type, PyTypeObject *entry_type, PyObject *h)
{
    if (Py_TYPE(h) != hit_type || PyTuple_GET_SIZE(h) != 4) {
        return NULL;
    }
    PyObject *entry = PyTuple_GET_ITEM(h, 0);
    return Py_TYPE(entry) == entry_type && PyTuple_GET_SIZE(entry) == 5 ? entry : NULL;
}

/* An exact int from lo to hi: 1, else 0 (no exception set). */
static inline int
dt_as_ssize_in(PyObject *o, long long lo, long long hi, Py_ssize_t *out)
{
    if (!PyLong_CheckExact(o)) {
        return 0;
    }
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow || v < lo || v > hi) {
        return 0;
    }
    *out = (Py_ssize_t)v;
    return 1;
}

/* An exact int from 0 to PY_SSIZE_T_MAX / 4 (so that differences stay in range): 1, else 0. */
#define dt_as_index(o, out) dt_as_ssize_in((o), 0, PY_SSIZE_T_MAX / 4, (out))

/* A plain TermHit whose term and kind are exact strs. */
static inline int
dt_plain_str_hit(PyTypeObject *hit_type, PyTypeObject *entry_type, PyObject *h)
{
    PyObject *e = dt_plain_entry(hit_type, entry_type, h);
    return e != NULL && PyUnicode_CheckExact(PyTuple_GET_ITEM(e, 0)) && PyUnicode_CheckExact(PyTuple_GET_ITEM(e, 2));
}

/* A helper's hits (a new reference, consumed, or NULL) as a tuple snapshot, each a plain TermHit with str term
 * and kind (what the shared helpers return; TypeError for anything else). */
static inline PyObject *
dt_hit_tuple(PyTypeObject *hit_type, PyTypeObject *entry_type, PyObject *seq)
{
    PyObject *t = seq == NULL ? NULL : PySequence_Tuple(seq);
    Py_XDECREF(seq);
    for (Py_ssize_t i = 0; t != NULL && i < PyTuple_GET_SIZE(t); i++) {
        if (!dt_plain_str_hit(hit_type, entry_type, PyTuple_GET_ITEM(t, i))) {
            PyErr_SetString(PyExc_TypeError, "a helper of the detector returned other than TermHits");
            Py_CLEAR(t);
        }
    }
    return t;
}

/* the fields of a plain TermHit: (entry, start, end, fuzzy), the entry (term, weight, kind, attrs, ...) */
#define DT_ENTRY(h) PyTuple_GET_ITEM((h), 0)
#define DT_KIND(h) PyTuple_GET_ITEM(DT_ENTRY(h), 2)
#define DT_ATTRS(h) PyTuple_GET_ITEM(DT_ENTRY(h), 3)

/* h.start and h.end of a plain TermHit, exact ints from 0 to PY_SSIZE_T_MAX / 4 (differences stay in range):
 * 1, else 0 (no exception set). */
static inline int
dt_plain_span(PyTypeObject *hit_type, PyTypeObject *entry_type, PyObject *h, Py_ssize_t *start, Py_ssize_t *end)
{
    if (dt_plain_entry(hit_type, entry_type, h) == NULL || !PyLong_CheckExact(PyTuple_GET_ITEM(h, 1))
        || !PyLong_CheckExact(PyTuple_GET_ITEM(h, 2))) {
        return 0;
    }
    *start = PyLong_AsSsize_t(PyTuple_GET_ITEM(h, 1));
    *end = PyLong_AsSsize_t(PyTuple_GET_ITEM(h, 2));
    if (*start < 0 || *end < 0 || *start > PY_SSIZE_T_MAX / 4 || *end > PY_SSIZE_T_MAX / 4) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

/* h.start (index 1) or h.end (index 2) of any hit: a new reference */
static inline PyObject *
dt_hit_field(PyTypeObject *hit_type, PyTypeObject *entry_type, PyObject *h, Py_ssize_t index)
{
    if (dt_plain_entry(hit_type, entry_type, h) != NULL) {
        return Py_NewRef(PyTuple_GET_ITEM(h, index));
    }
    return PyObject_GetAttrString(h, index == 1 ? "start" : "end");
}

/* h.kind (index 2) or h.entry.attrs (index 3) of any hit: a new reference */
static inline PyObject *
dt_entry_field(PyTypeObject *hit_type, PyTypeObject *entry_type, PyObject *h, Py_ssize_t index)
{
    PyObject *entry = dt_plain_entry(hit_type, entry_type, h);
    if (entry != NULL) {
        return Py_NewRef(PyTuple_GET_ITEM(entry, index));
    }
    if (index == 2) {
        return PyObject_GetAttrString(h, "kind");
    }
    if ((entry = PyObject_GetAttrString(h, "entry")) == NULL) {
        return NULL;
    }
    PyObject *attrs = PyObject_GetAttrString(entry, "attrs");
    Py_DECREF(entry);
    return attrs;
}

/* ---- calls ---- */

/* bool(result) of a call's result (a new reference, consumed, or NULL): 1, 0, or -1 with an exception set */
static inline int
dt_truth(PyObject *result)
{
    int r = result == NULL ? -1 : PyObject_IsTrue(result);
    Py_XDECREF(result);
    return r;
}

/* mapping.get(key, default), as a new reference */
static inline PyObject *
dt_get(PyObject *mapping, PyObject *key, PyObject *default_)
{
    if (PyDict_CheckExact(mapping)) {
        PyObject *value = PyDict_GetItemWithError(mapping, key);
        return value != NULL ? Py_NewRef(value) : PyErr_Occurred() ? NULL : Py_NewRef(default_);
    }
    return PyObject_CallMethod(mapping, "get", "OO", key, default_);
}

/* truth of f(a, b[, c[, e]]): 1, 0, or -1 with an exception set */
static inline int
dt_call_test(PyObject *f, PyObject *a, PyObject *b, PyObject *c, PyObject *e)
{
    PyObject *args[4] = {a, b, c, e};
    return dt_truth(PyObject_Vectorcall(f, args, c == NULL ? 2 : e == NULL ? 3 : 4, NULL));
}

/* negated(t, h.start, h.end) of any hit */
static inline int
dt_hit_negated(PyObject *negated, PyTypeObject *hit_type, PyTypeObject *entry_type, PyObject *t, PyObject *h)
{
    PyObject *start = dt_hit_field(hit_type, entry_type, h, 1);
    PyObject *end = start == NULL ? NULL : dt_hit_field(hit_type, entry_type, h, 2);
    int result = end == NULL ? -1 : dt_call_test(negated, t, start, end, NULL);
    Py_XDECREF(start);
    Py_XDECREF(end);
    return result;
}

/* an exact list or tuple of v's items (v itself when it is one): a new reference */
static inline PyObject *
dt_as_sequence(PyObject *v)
{
    return PyList_CheckExact(v) || PyTuple_CheckExact(v) ? Py_NewRef(v) : PySequence_List(v);
}

/* out.extend(g.get(key, empty)): 0, or -1 with an exception set */
static inline int
dt_extend_from(PyObject *out, PyObject *g, PyObject *key, PyObject *empty)
{
    PyObject *v = dt_get(g, key, empty), *seq = v == NULL ? NULL : dt_as_sequence(v);
    int rc = seq == NULL ? -1 : 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PySequence_Fast_GET_SIZE(seq); i++) {
        rc = PyList_Append(out, PySequence_Fast_GET_ITEM(seq, i));
    }
    Py_XDECREF(seq);
    Py_XDECREF(v);
    return rc;
}

/* signals.append(f(*args)): 0, or -1 with an exception set */
static inline int
dt_append_call(PyObject *signals, PyObject *f, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *signal = PyObject_Vectorcall(f, args, nargs, kwnames);
    int r = signal == NULL ? -1 : PyList_Append(signals, signal);
    Py_XDECREF(signal);
    return r;
}


/* Whether ``obj`` is a compiled pattern of the source ``pattern`` (UTF-8) with the flags re.UNICODE alone (what
 * re.compile gives a str pattern without flags): 1, 0, or -1 with an exception set. A pre-check written for one
 * pattern is used only when this holds, so that an edited pattern is never skipped wrongly. */
static inline int
dt_is_pattern(PyObject *obj, const char *pattern)
{
    PyObject *source = PyObject_GetAttrString(obj, "pattern");
    PyObject *flags = source == NULL ? NULL : PyObject_GetAttrString(obj, "flags");
    if (flags == NULL) {
        Py_XDECREF(source);
        PyErr_Clear();  /* not a pattern */
        return 0;
    }
    PyObject *expected = PyUnicode_FromString(pattern);
    int result = expected == NULL ? -1 : 0;
    if (expected != NULL && PyUnicode_CheckExact(source) && PyLong_CheckExact(flags)) {
        long value = PyLong_AsLong(flags);
        PyErr_Clear();
        result = value == 32 && PyUnicode_Compare(source, expected) == 0;
    }
    Py_DECREF(source);
    Py_DECREF(flags);
    Py_XDECREF(expected);
    return result;
}

#endif
