/* Shared by smsguard's native accelerators: building the project's frozen, slotted records from C.
 *
 * A frozen dataclass's generated __init__ sets each field with object.__setattr__, which costs a Python call per
 * field. The accelerators allocate the instance and store each value in its slot, as the class's member
 * descriptor does (through the descriptor when a field is not a plain object slot). Only records without
 * __post_init__ or field validation are built this way: the result is the same object the class would build from
 * the same values.
 */
#ifndef SMSGUARD_NATIVE_COMMON_H
#define SMSGUARD_NATIVE_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>

#ifndef Py_T_OBJECT_EX
#define Py_T_OBJECT_EX T_OBJECT_EX
#define Py_READONLY READONLY
#endif

#define SG_MAX_FIELDS 16

typedef struct {
    PyTypeObject *type;                 /* a strong reference */
    Py_ssize_t count;                   /* number of fields */
    PyObject *setters[SG_MAX_FIELDS];   /* the member descriptors, strong references */
    Py_ssize_t offsets[SG_MAX_FIELDS];  /* each field's slot offset, -1 for a field set through its descriptor */
    int direct;                         /* the instance is its header and these slots alone (see sg_record_new) */
} sg_record;

/* The offset in the instance of the object slot that ``descr`` (a class attribute) describes, or -1 when it is
 * not a plain object slot (a __slots__ entry). Sets no exception. */
static inline Py_ssize_t
sg_slot_offset(PyObject *descr)
{
    if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        return -1;
    }
    PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
    return member->type == Py_T_OBJECT_EX && !(member->flags & Py_READONLY) ? member->offset : -1;
}

/* The offset of the object slot ``name`` of the class ``cls``, or -1 with TypeError set. */
static inline Py_ssize_t
sg_slot_offset_of(PyObject *cls, const char *name)
{
    PyObject *descr = PyObject_GetAttrString(cls, name);
    if (descr == NULL) {
        return -1;
    }
    Py_ssize_t offset = sg_slot_offset(descr);
    Py_DECREF(descr);
    if (offset < 0) {
        PyErr_Format(PyExc_TypeError, "%s.%s is not an object slot",
                     PyType_Check(cls) ? ((PyTypeObject *)cls)->tp_name : "?", name);
    }
    return offset;
}

/* Whether an instance of ``type`` is its object header and the ``count`` distinct plain slots at ``offsets``
 * alone, allocated by the generic allocator and tracked by the collector: then every byte of a new instance is
 * one of the slots, and sg_record_new may fill them all before the collector sees it. */
static inline int
sg_record_is_whole(PyTypeObject *type, const Py_ssize_t *offsets, Py_ssize_t count)
{
    int whole = type->tp_alloc == PyType_GenericAlloc && PyType_IS_GC(type) && type->tp_itemsize == 0
                && type->tp_dictoffset == 0 && type->tp_weaklistoffset == 0
                && !(type->tp_flags & Py_TPFLAGS_MANAGED_DICT)
#ifdef Py_TPFLAGS_MANAGED_WEAKREF
                && !(type->tp_flags & Py_TPFLAGS_MANAGED_WEAKREF)
#endif
                && type->tp_basicsize == (Py_ssize_t)(sizeof(PyObject) + (size_t)count * sizeof(PyObject *));
    for (Py_ssize_t i = 0; whole && i < count; i++) {
        Py_ssize_t at = offsets[i];
        whole = at >= (Py_ssize_t)sizeof(PyObject) && at < type->tp_basicsize && at % sizeof(PyObject *) == 0;
        for (Py_ssize_t j = 0; whole && j < i; j++) {
            whole = offsets[j] != at;
        }
    }
    return whole;
}

/* Look up the slots ``fields`` (NULL-terminated, in the order sg_record_new takes values) of ``cls``.
 * Returns 0, or -1 with an exception set. */
static inline int
sg_record_init(sg_record *record, PyObject *cls, const char *const *fields)
{
    if (!PyType_Check(cls)) {
        PyErr_SetString(PyExc_TypeError, "sg_record_init: not a class");
        return -1;
    }
    record->count = 0;
    for (Py_ssize_t i = 0; fields[i] != NULL; i++) {
        if (i >= SG_MAX_FIELDS) {
            PyErr_SetString(PyExc_ValueError, "sg_record_init: too many fields");
            return -1;
        }
        PyObject *descr = PyObject_GetAttrString(cls, fields[i]);
        if (descr == NULL) {
            return -1;
        }
        if (Py_TYPE(descr)->tp_descr_set == NULL) {
            Py_DECREF(descr);
            PyErr_Format(PyExc_TypeError, "sg_record_init: %s.%s is not a slot", ((PyTypeObject *)cls)->tp_name,
                         fields[i]);
            return -1;
        }
        record->setters[i] = descr;
        record->offsets[i] = sg_slot_offset(descr);
        record->count = i + 1;
    }
    Py_INCREF(cls);
    record->type = (PyTypeObject *)cls;
    record->direct = sg_record_is_whole((PyTypeObject *)cls, record->offsets, record->count);
    return 0;
}

static inline void
sg_record_clear(sg_record *record)
{
    for (Py_ssize_t i = 0; i < record->count; i++) {
        Py_CLEAR(record->setters[i]);
    }
    record->count = 0;
    Py_CLEAR(record->type);
}

/* A new instance with ``values`` (borrowed, one per field) in its slots; NULL with an exception set on failure. */
static inline PyObject *
sg_record_new(const sg_record *record, PyObject *const *values)
{
    int direct = record->direct;
    for (Py_ssize_t i = 0; direct && i < record->count; i++) {
        direct = values[i] != NULL;  /* an empty field goes through its descriptor, which refuses it */
    }
    if (direct) {
        PyObject *obj = PyObject_GC_New(PyObject, record->type);
        if (obj == NULL) {
            return NULL;
        }
        for (Py_ssize_t i = 0; i < record->count; i++) {
            *(PyObject **)((char *)obj + record->offsets[i]) = Py_NewRef(values[i]);
        }
        PyObject_GC_Track(obj);
        return obj;
    }
    PyObject *obj = record->type->tp_alloc(record->type, 0);
    if (obj == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < record->count; i++) {
        Py_ssize_t offset = record->offsets[i];
        if (offset >= 0 && values[i] != NULL) {
            /* a fresh instance: the slot is empty, as the descriptor would find it */
            *(PyObject **)((char *)obj + offset) = Py_NewRef(values[i]);
            continue;
        }
        PyObject *setter = record->setters[i];
        if (Py_TYPE(setter)->tp_descr_set(setter, obj, values[i]) < 0) {
            Py_DECREF(obj);
            return NULL;
        }
    }
    return obj;
}

/* -1 with TypeError unless every field of ``record`` is a plain object slot (then sg_slot_borrow may read them);
 * ``what`` names the reader in the message. */
static inline int
sg_record_require_slots(const sg_record *record, const char *what)
{
    for (Py_ssize_t i = 0; i < record->count; i++) {
        if (record->offsets[i] < 0) {
            PyErr_Format(PyExc_TypeError, "%s: the fields of %s must be plain slots", what, record->type->tp_name);
            return -1;
        }
    }
    return 0;
}

/* The value of plain slot ``index`` of ``obj``, an instance of exactly ``record->type`` (borrowed; NULL when the
 * slot is empty, with no exception set). */
static inline PyObject *
sg_slot_borrow(const sg_record *record, PyObject *obj, Py_ssize_t index)
{
    return *(PyObject **)((char *)obj + record->offsets[index]);
}

/* The value of slot ``index`` of ``obj``, an instance of exactly ``record->type`` (a new reference; NULL with the
 * descriptor's AttributeError when the slot is empty). */
static inline PyObject *
sg_slot_get(const sg_record *record, Py_ssize_t index, PyObject *obj)
{
    Py_ssize_t offset = record->offsets[index];
    if (offset >= 0) {
        PyObject *value = *(PyObject **)((char *)obj + offset);
        if (value != NULL) {
            return Py_NewRef(value);
        }
    }
    PyObject *descr = record->setters[index];
    return Py_TYPE(descr)->tp_descr_get(descr, obj, (PyObject *)record->type);
}

/* ``obj.<name>``, read from its slot when ``obj`` is exactly of the class of ``record`` (a new reference). */
static inline PyObject *
sg_field_get(const sg_record *record, Py_ssize_t index, PyObject *obj, PyObject *name)
{
    return Py_IS_TYPE(obj, record->type) ? sg_slot_get(record, index, obj) : PyObject_GetAttr(obj, name);
}

/* MatchContext.found_bits, written by the engine (engine_rules.c) and read by the conditions (conditions.h): bit
 * i % 64 of the i / 64-th 64-bit word, in the machine's byte order, for each found literal id i below this bound. */
#define SG_MAX_LITERAL (1 << 22)

/* The index of the lowest set bit of a non-zero word. */
static inline Py_ssize_t
sg_lowest_bit(uint64_t word)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(word);
#else
    Py_ssize_t k = 0;
    for (; !(word & 1); word >>= 1) {
        k++;
    }
    return k;
#endif
}

/* Whether a and b are equal strs (any other object is equal only to itself). Never raises: a str's
 * representation is canonical, so equal strs have one length, one kind and the same bytes. */
static inline int
sg_same_str(PyObject *a, PyObject *b)
{
    if (a == b) {
        return 1;
    }
    if (!PyUnicode_Check(a) || !PyUnicode_Check(b)) {
        return 0;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    return n == PyUnicode_GET_LENGTH(b) && PyUnicode_KIND(a) == PyUnicode_KIND(b)
           && memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)n * PyUnicode_KIND(a)) == 0;
}

/* A tuple of two ints, (start, end). */
static inline PyObject *
sg_span(Py_ssize_t start, Py_ssize_t end)
{
    PyObject *a = PyLong_FromSsize_t(start);
    if (a == NULL) {
        return NULL;
    }
    PyObject *b = PyLong_FromSsize_t(end);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    PyObject *span = PyTuple_New(2);
    if (span == NULL) {
        Py_DECREF(a);
        Py_DECREF(b);
        return NULL;
    }
    PyTuple_SET_ITEM(span, 0, a);
    PyTuple_SET_ITEM(span, 1, b);
    return span;
}

#endif
