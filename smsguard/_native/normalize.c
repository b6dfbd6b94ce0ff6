/* smsguard._cnormalize: the common case of the default normalization steps (smsguard.normalize) in C.
 *
 * Plan.normalize runs the first two default steps, charfold and separators, exactly as their Python versions
 * do, then the test the Normalizer runs before its tail: can t2s, either lookalike table or the separators after
 * them change the text? For most texts none can. Otherwise it calls the apply method of each of those steps
 * and applies what they return as Normalizer.normalize does, the text's offset map included.
 *
 * Every table comes from Python: the fold of a character from a callback (cached here, as fold_char caches), the
 * t2s trigger characters, the lookalike variants and the exact lookalike test from the steps' own tables.
 *
 * The map is kept for every text (a start and an end per character); it becomes the NormalizedText's starts and
 * ends only when a step changed a length, as in Python.
 */
#include "common.h"

#include <stdint.h>
#include <string.h>

#define BMP_SIZE 0x10000
#define FOLD_UNKNOWN 0u          /* fold_single: not asked yet */
#define FOLD_OTHER 0xFFFFFFFFu   /* fold_single: the fold is not one character; see fold_other */
#define FOLD_CACHE_LIMIT 65536   /* as smsguard.normalize._FOLD_CACHE */

/* The fold of each BMP character that is one character: that character + 1. Filled as characters are met. */
static uint32_t fold_single[BMP_SIZE];
static PyObject *fold_function = NULL; /* str (one character) -> its fold */
static PyObject *fold_other = NULL;    /* dict: code point -> fold, for the other folds */

/* What a plan knows of a character, one byte per BMP character. Most characters of a text are plain (they fold to
 * themselves and have none of the other properties): a bitmap of those keeps what a text touches small, as the
 * tables are cold when normalization runs between the other stages. */
#define P_SELF 0x01  /* folds to itself: learned as characters are met */
#define P_SEP 0x02   /* a separator */
#define P_T2S 0x04   /* changed by t2s */
#define P_FIRST 0x08 /* the first character of a lookalike variant */

typedef struct {
    Py_UCS4 c;
    unsigned char props;
} astral_props;

typedef struct {
    Py_UCS4 *chars;
    Py_ssize_t len;
} variant;

typedef struct {
    PyObject_HEAD
    sg_record record;         /* NormalizedText(original, text, starts, ends) */
    PyObject *lookalike_test; /* str -> match or None: the lookalike tables' own change tests, or None */
    PyObject *tail;           /* tuple: the steps after separators */
    PyObject *apply_name;     /* "apply" */
    unsigned char *props;     /* BMP_SIZE bytes */
    uint8_t plain[BMP_SIZE / 8];
    astral_props *astral;     /* the characters beyond the BMP with properties (few) */
    Py_ssize_t n_astral;
    Py_UCS4 *cjk;             /* [lo, hi] pairs */
    Py_ssize_t n_cjk;
    variant *variants;        /* sorted by first character */
    Py_ssize_t n_variants;
} PlanObject;

/* --- character properties ------------------------------------------------------------------------------ */

static unsigned
props_beyond_bmp(const PlanObject *plan, Py_UCS4 c)
{
    unsigned props = 0;
    for (Py_ssize_t i = 0; i < plan->n_astral; i++) {
        props |= plan->astral[i].c == c ? plan->astral[i].props : 0;
    }
    return props;
}

static inline int
is_cjk(const PlanObject *plan, Py_UCS4 c)
{
    for (Py_ssize_t i = 0; i < plan->n_cjk; i++) {
        if (c >= plan->cjk[2 * i] && c <= plan->cjk[2 * i + 1]) {
            return 1;
        }
    }
    return 0;
}

static inline unsigned
props_of(const PlanObject *plan, Py_UCS4 c)
{
    return c < BMP_SIZE ? plan->props[c] : props_beyond_bmp(plan, c);
}

/* Gives ``c`` the property ``prop``. */
static int
plan_mark(PlanObject *plan, Py_UCS4 c, unsigned prop)
{
    if (c < BMP_SIZE) {
        plan->props[c] |= (unsigned char)prop;
        return 0;
    }
    astral_props *grown = PyMem_Resize(plan->astral, astral_props, plan->n_astral + 1);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    plan->astral = grown;
    plan->astral[plan->n_astral].c = c;
    plan->astral[plan->n_astral++].props = (unsigned char)prop;
    return 0;
}

static int
plan_mark_all(PlanObject *plan, PyObject *chars, unsigned prop)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(chars);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (plan_mark(plan, PyUnicode_READ_CHAR(chars, i), prop) < 0) {
            return -1;
        }
    }
    return 0;
}

/* --- the fold of one character ------------------------------------------------------------------------- */

/* The fold of ``c``: 1 with the one character in *single, 2 with a new reference to the fold (of any other
 * length) in *folded, -1 with an exception set. */
static int
fold_lookup(Py_UCS4 c, Py_UCS4 *single, PyObject **folded)
{
    if (c < BMP_SIZE && fold_single[c] != FOLD_UNKNOWN && fold_single[c] != FOLD_OTHER) {
        *single = fold_single[c] - 1;
        return 1;
    }
    if (fold_function == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "smsguard._cnormalize.set_fold was not called");
        return -1;
    }
    PyObject *ch = PyUnicode_FromOrdinal((int)c);
    if (ch == NULL) {
        return -1;
    }
    PyObject *result = PyDict_GetItemWithError(fold_other, ch);
    if (result != NULL || PyErr_Occurred()) {
        Py_DECREF(ch);
        *folded = Py_XNewRef(result);
        return result != NULL ? 2 : -1;
    }
    result = PyObject_CallOneArg(fold_function, ch);
    if (result != NULL && !PyUnicode_CheckExact(result)) {
        PyErr_SetString(PyExc_TypeError, "the fold of a character must be a str");
        Py_CLEAR(result);
    }
    if (result == NULL) {
        Py_DECREF(ch);
        return -1;
    }
    if (c < BMP_SIZE && PyUnicode_GET_LENGTH(result) == 1) {
        *single = PyUnicode_READ_CHAR(result, 0);
        fold_single[c] = (uint32_t)*single + 1;
        Py_DECREF(result);
        Py_DECREF(ch);
        return 1;
    }
    if (PyDict_GET_SIZE(fold_other) < FOLD_CACHE_LIMIT) {
        if (PyDict_SetItem(fold_other, ch, result) < 0) {
            Py_DECREF(result);
            Py_DECREF(ch);
            return -1;
        }
        if (c < BMP_SIZE) {
            fold_single[c] = FOLD_OTHER;
        }
    }
    Py_DECREF(ch);
    *folded = result;
    return 2;
}

#include "normalize_map.h"

/* --- the steps --------------------------------------------------------------------------------------------- */

/* CharFoldStep: ``original`` folded character by character into ``buf``. Sets *changed when the text differs
 * from the original and *moved when its length does, and adds to *seen the properties of the characters it
 * writes; with ``any``, lone surrogates count as U+FFFD. */
static int
fold_text(PlanObject *plan, PyObject *original, int any, outbuf *buf, unsigned *seen, int *changed, int *moved)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(original);
    int kind = PyUnicode_KIND(original);
    const void *data = PyUnicode_DATA(original);
    unsigned char *props = plan->props;
    if (outbuf_reserve(buf, n) < 0) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < BMP_SIZE && ((plan->plain[c >> 3] >> (c & 7)) & 1)) {
            outbuf_put(buf, c, i, i + 1);
            continue;
        }
        if (c < BMP_SIZE && (props[c] & P_SELF)) {
            *seen |= props[c];
            outbuf_put(buf, c, i, i + 1);
            continue;
        }
        Py_UCS4 key = (any && Py_UNICODE_IS_SURROGATE(c)) ? 0xFFFD : c, f;
        PyObject *folded = NULL;
        int found = 1;
        if (key < 0x80) {
            f = (key >= 'A' && key <= 'Z') ? key + ('a' - 'A') : key;
        }
        else if ((found = fold_lookup(key, &f, &folded)) < 0) {
            return -1;
        }
        if (found == 2) {
            Py_ssize_t m = PyUnicode_GET_LENGTH(folded);
            if (outbuf_reserve(buf, m + (n - i)) < 0) {
                Py_DECREF(folded);
                return -1;
            }
            for (Py_ssize_t j = 0; j < m; j++) {
                Py_UCS4 g = PyUnicode_READ_CHAR(folded, j);
                *seen |= props_of(plan, g);
                outbuf_put(buf, g, i, i + 1);
            }
            if (m != 1 || buf->chars[buf->len - 1] != c) {
                *changed = 1;
            }
            if (m != 1) {
                *moved = 1;
            }
            Py_DECREF(folded);
            continue;
        }
        if (f != c) {
            *changed = 1;
        }
        else if (c < BMP_SIZE && !Py_UNICODE_IS_SURROGATE(c)) {
            props[c] |= P_SELF; /* not for surrogates: with ``any`` they fold as U+FFFD */
            if (props[c] == P_SELF) {
                plan->plain[c >> 3] |= (uint8_t)(1u << (c & 7));
            }
        }
        *seen |= props_of(plan, f);
        outbuf_put(buf, f, i, i + 1);
    }
    return 0;
}

/* SeparatorStep: drops every run of separators between two CJK characters, in place. */
static void
drop_separators(const PlanObject *plan, outbuf *buf, int *changed, int *moved)
{
    Py_UCS4 *chars = buf->chars;
    Py_ssize_t n = buf->len, w = 0, k = 0;
    while (k < n) {
        if (!(props_of(plan, chars[k]) & P_SEP)) {
            chars[w] = chars[k];
            buf->starts[w] = buf->starts[k];
            buf->ends[w++] = buf->ends[k++];
            continue;
        }
        Py_ssize_t end = k + 1;
        while (end < n && (props_of(plan, chars[end]) & P_SEP)) {
            end++;
        }
        /* the character before the run is not a separator, so it is the last one kept */
        if (k > 0 && end < n && is_cjk(plan, chars[w - 1]) && is_cjk(plan, chars[end])) {
            *changed = *moved = 1;
            k = end;
            continue;
        }
        for (; k < end; k++) {
            chars[w] = chars[k];
            buf->starts[w] = buf->starts[k];
            buf->ends[w++] = buf->ends[k];
        }
    }
    buf->len = w;
}

/* Whether ``v`` matches at ``pos`` as the lookalike steps' patterns require at least: its characters in order,
 * with any separators where it switches between ASCII and other characters (see _variant_regex). Its
 * characters before ``i`` have matched before ``pos``. */
static int
variant_at(const PlanObject *plan, const Py_UCS4 *t, Py_ssize_t n, Py_ssize_t pos, const variant *v, Py_ssize_t i)
{
    for (; i < v->len; i++) {
        if ((v->chars[i] < 0x80) != (v->chars[i - 1] < 0x80)) {
            for (Py_ssize_t p = pos; p < n; p++) {
                if (t[p] == v->chars[i] && variant_at(plan, t, n, p + 1, v, i + 1)) {
                    return 1;
                }
                if (!(props_of(plan, t[p]) & P_SEP)) {
                    return 0;
                }
            }
            return 0;
        }
        if (pos >= n || t[pos] != v->chars[i]) {
            return 0;
        }
        pos++;
    }
    return 1;
}

/* Whether a lookalike variant can match anywhere: a lookalike step changes no text where this says no. */
static int
may_have_lookalike(const PlanObject *plan, const outbuf *buf)
{
    for (Py_ssize_t k = 0; k < buf->len; k++) {
        Py_UCS4 c = buf->chars[k];
        if (!(props_of(plan, c) & P_FIRST)) {
            continue;
        }
        Py_ssize_t lo = 0, hi = plan->n_variants;
        while (lo < hi) {
            Py_ssize_t mid = lo + (hi - lo) / 2;
            if (plan->variants[mid].chars[0] < c) {
                lo = mid + 1;
            }
            else {
                hi = mid;
            }
        }
        for (; lo < plan->n_variants && plan->variants[lo].chars[0] == c; lo++) {
            if (variant_at(plan, buf->chars, buf->len, k + 1, &plan->variants[lo], 1)) {
                return 1;
            }
        }
    }
    return 0;
}

static PyObject *
Plan_normalize(PlanObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "normalize(original, any) takes two arguments");
        return NULL;
    }
    PyObject *original = args[0];
    int any = PyObject_IsTrue(args[1]);
    if (any < 0) {
        return NULL;
    }
    if (!PyUnicode_CheckExact(original)) {
        Py_RETURN_NONE; /* the Python path, with its own errors */
    }
    outbuf bufs[2], *cur = &bufs[0], *next = &bufs[1];
    outbuf_init(&bufs[0]);
    outbuf_init(&bufs[1]);
    PyObject *text = NULL, *starts = NULL, *ends = NULL, *result = NULL;
    unsigned seen = 0;
    int changed = 0, moved = 0;
    if (fold_text(self, original, any, cur, &seen, &changed, &moved) < 0) {
        goto done;
    }
    if (seen & P_SEP) {
        drop_separators(self, cur, &changed, &moved);
    }
    text = changed ? PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, cur->chars, cur->len) : Py_NewRef(original);
    if (text == NULL) {
        goto done;
    }
    /* The tail test. Separators between CJK characters cannot be left after drop_separators, so only t2s and
     * the lookalike tables can have something to do. ``seen`` also holds the properties of the separators
     * dropped: at worst the tail steps run for nothing. */
    int tail = (seen & P_T2S) != 0;
    if (!tail && (seen & P_FIRST) && self->lookalike_test != Py_None && may_have_lookalike(self, cur)) {
        PyObject *match = PyObject_CallOneArg(self->lookalike_test, text);
        if (match == NULL) {
            goto done;
        }
        tail = match != Py_None;
        Py_DECREF(match);
    }
    if (tail
        && run_steps(self->tail, self->apply_name, &text, &cur, &next, PyUnicode_GET_LENGTH(original), &moved) < 0) {
        goto done;
    }
    if (moved) {
        if ((starts = int_tuple(cur->starts, cur->len)) == NULL || (ends = int_tuple(cur->ends, cur->len)) == NULL) {
            goto done;
        }
    }
    else {
        starts = Py_NewRef(Py_None);
        ends = Py_NewRef(Py_None);
    }
    PyObject *values[4] = {original, text, starts, ends};
    result = sg_record_new(&self->record, values);
done:
    Py_XDECREF(text);
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    outbuf_free(&bufs[0]);
    outbuf_free(&bufs[1]);
    return result;
}

/* --- the Plan type ------------------------------------------------------------------------------------------ */

static int
compare_variants(const void *a, const void *b)
{
    Py_UCS4 x = ((const variant *)a)->chars[0], y = ((const variant *)b)->chars[0];
    return (x > y) - (x < y);
}

static int
plan_variants(PlanObject *self, PyObject *variants)
{
    PyObject *seq = PySequence_Fast(variants, "variants must be a sequence of str");
    if (seq == NULL) {
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    self->variants = PyMem_New(variant, n > 0 ? n : 1);
    if (self->variants == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "variants must be a sequence of str");
            goto error;
        }
        if (PyUnicode_GET_LENGTH(item) == 0) {
            continue;
        }
        variant *v = &self->variants[self->n_variants];
        v->len = PyUnicode_GET_LENGTH(item);
        v->chars = PyUnicode_AsUCS4Copy(item);
        if (v->chars == NULL) {
            goto error;
        }
        self->n_variants++;
        if (plan_mark(self, v->chars[0], P_FIRST) < 0) {
            goto error;
        }
    }
    Py_DECREF(seq);
    qsort(self->variants, (size_t)self->n_variants, sizeof(variant), compare_variants);
    return 0;
error:
    Py_DECREF(seq);
    return -1;
}

static int
plan_cjk(PlanObject *self, PyObject *ranges)
{
    if (!PyUnicode_Check(ranges) || PyUnicode_GET_LENGTH(ranges) % 3 != 0) {
        PyErr_SetString(PyExc_ValueError, "cjk must be a str of ranges a-b");
        return -1;
    }
    self->n_cjk = PyUnicode_GET_LENGTH(ranges) / 3;
    self->cjk = PyMem_New(Py_UCS4, 2 * self->n_cjk + 1);
    if (self->cjk == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < self->n_cjk; i++) {
        if (PyUnicode_READ_CHAR(ranges, 3 * i + 1) != '-') {
            PyErr_SetString(PyExc_ValueError, "cjk must be a str of ranges a-b");
            return -1;
        }
        Py_UCS4 lo = PyUnicode_READ_CHAR(ranges, 3 * i), hi = PyUnicode_READ_CHAR(ranges, 3 * i + 2);
        self->cjk[2 * i] = lo;
        self->cjk[2 * i + 1] = hi;
    }
    return 0;
}

static void
Plan_dealloc(PlanObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    Py_XDECREF(self->lookalike_test);
    Py_XDECREF(self->tail);
    Py_XDECREF(self->apply_name);
    sg_record_clear(&self->record);
    for (Py_ssize_t i = 0; i < self->n_variants; i++) {
        PyMem_Free(self->variants[i].chars);
    }
    PyMem_Free(self->variants);
    PyMem_Free(self->cjk);
    PyMem_Free(self->astral);
    PyMem_Free(self->props);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *
Plan_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"record", "separators", "cjk", "t2s", "variants", "lookalike_test", "tail", NULL};
    PyObject *record, *separators, *cjk, *t2s, *variants, *lookalike_test, *tail;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OUUUOOO!:Plan", keywords, &record, &separators, &cjk, &t2s,
                                     &variants, &lookalike_test, &PyTuple_Type, &tail)) {
        return NULL;
    }
    if (lookalike_test != Py_None && !PyCallable_Check(lookalike_test)) {
        PyErr_SetString(PyExc_TypeError, "lookalike_test must be callable or None");
        return NULL;
    }
    /* tp_alloc zeroes the object: every table starts empty */
    PlanObject *self = (PlanObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    static const char *const fields[] = {"original", "text", "starts", "ends", NULL};
    self->lookalike_test = Py_NewRef(lookalike_test);
    self->tail = Py_NewRef(tail);
    self->apply_name = PyUnicode_InternFromString("apply");
    self->props = PyMem_Calloc(BMP_SIZE, 1);
    if (self->props == NULL && self->apply_name != NULL) {
        PyErr_NoMemory();
    }
    if (self->props == NULL || self->apply_name == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    if (sg_record_init(&self->record, record, fields) < 0 || plan_mark_all(self, separators, P_SEP) < 0
        || plan_cjk(self, cjk) < 0 || plan_mark_all(self, t2s, P_T2S) < 0 || plan_variants(self, variants) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static PyMethodDef Plan_methods[] = {
    {"normalize", (PyCFunction)(void (*)(void))Plan_normalize, METH_FASTCALL,
     "normalize(original, any) -> NormalizedText, (text, starts, ends) for Python to finish, or None."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot Plan_slots[] = {
    {Py_tp_doc, "The default normalization steps' common case, with the tables of one Normalizer's steps."},
    {Py_tp_new, Plan_new},
    {Py_tp_dealloc, Plan_dealloc},
    {Py_tp_methods, Plan_methods},
    {0, NULL},
};

static PyType_Spec Plan_spec = {
    .name = "smsguard._cnormalize.Plan",
    .basicsize = sizeof(PlanObject),
    .flags = Py_TPFLAGS_DEFAULT, /* no GC: it refers to no object that could refer back to it */
    .slots = Plan_slots,
};

/* --- the module -------------------------------------------------------------------------------------------- */

static PyObject *
set_fold(PyObject *module, PyObject *function)
{
    if (!PyCallable_Check(function)) {
        PyErr_SetString(PyExc_TypeError, "set_fold takes a callable");
        return NULL;
    }
    PyObject *cache = PyDict_New();
    if (cache == NULL) {
        return NULL;
    }
    Py_XSETREF(fold_function, Py_NewRef(function));
    Py_XSETREF(fold_other, cache);
    memset(fold_single, 0, sizeof(fold_single));
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"set_fold", set_fold, METH_O,
     "set_fold(function): the fold of one character (str -> str) as CharFoldStep folds it. Plans made before\n"
     "keep what they learned: call it once, before making any."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "smsguard._cnormalize",
    .m_doc = "The common case of smsguard's default normalization steps in C (see smsguard.normalize).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__cnormalize(void)
{
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) {
        return NULL;
    }
    PyObject *plan = PyType_FromSpec(&Plan_spec);
    if (plan == NULL || PyModule_AddObjectRef(module, "Plan", plan) < 0) {
        Py_XDECREF(plan);
        Py_DECREF(module);
        return NULL;
    }
    Py_DECREF(plan);
    return module;
}
