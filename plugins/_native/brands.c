/* The hot helpers of plugins/_brands.py in C (smsguard_plugins._cbrands): find_claims, which the sender and link
 * checkers call on every message whose sender could claim a brand, and from_lexicons, the cached tables every
 * look-up goes through.
 *
 * Each function runs what the detectors pass (an exact NormalizedText and Features, TermHits of plain str and
 * int, a warm cache) and hands anything else to its Python reference before any side effect of its own: odd input
 * gets the reference's result or exception. The regular expressions, the term reader and the per-message record
 * of plugins/_terms.py are the Python objects bound once at import (the C ones where those are built). Most
 * pattern calls are skipped by pre-checks that look for a character every match holds (written for the patterns
 * of _brands.py: bind turns them off for any other).
 */
#include "detector.h"

typedef struct {
    Py_ssize_t a, b;
} span;

/* what find_claims keeps of a brand-name hit */
typedef struct {
    PyObject *brand, *start, *end;  /* borrowed: the snapshot of the hits holds them */
    Py_ssize_t a, b;
    int claim_only;                 /* kind CLAIM: counts only when the sender speaks as the brand */
    int in_signature, speaks;
    Py_ssize_t order;
} name_hit;

static struct {
    int bound;
    sg_record claim;
    PyTypeObject *ntext_type, *features_type, *link_type, *feature_type, *hit_type, *entry_type;
    PyObject *read;             /* _NAME_TERMS.read */
    PyObject *last;             /* _LAST, the one-message cache the reference shares */
    PyObject *self_naming;      /* _SELF_NAMING.match */
    PyObject *introduction;     /* _INTRODUCTION.search */
    Py_ssize_t window, opening; /* _INTRODUCTION_WINDOW, _OPENING */
    int prefilter;              /* the patterns are the ones the pre-checks below are written for */
    /* the slots read: NormalizedText.text, Features.signatures and .links, TextFeature.nspan, Link.nspan */
    Py_ssize_t o_text, o_signatures, o_links, o_feature_nspan, o_link_nspan;
    PyObject *brand, *claim_kind;
    PyObject *message;          /* _terms._message: lexicon_env(ntext) is message(ntext).env */
    PyObject *display_args;     /* _DISPLAY_TABLE: display_names(env) is from_lexicons(*display_args, env) */
    PyObject *derived;          /* _DERIVED */
    PyObject *ref_find_claims, *ref_claim_list, *ref_from_lexicons;
    PyObject *s_env;
} BR;

/* What a fast path returns when the reference must answer; never dereferenced. */
static PyObject fallback_marker;
#define FALLBACK (&fallback_marker)

/* An exact int that fits a Py_ssize_t: 1; 0 for anything else. */
#define as_ssize(o, out) dt_as_ssize_in((o), PY_SSIZE_T_MIN, PY_SSIZE_T_MAX, (out))

/* ---- from_lexicons ---- */

static PyObject *
brands_from_lexicons(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (BR.bound && nargs == 4 && kwnames == NULL && PyUnicode_CheckExact(args[0]) && PyUnicode_CheckExact(args[3])) {
        PyObject *cached = PyDict_GetItemWithError(BR.derived, args[0]);
        if (cached == NULL && PyErr_Occurred()) {
            return NULL;
        }
        if (cached != NULL && PyTuple_CheckExact(cached) && PyTuple_GET_SIZE(cached) == 2
            && PyUnicode_CheckExact(PyTuple_GET_ITEM(cached, 0)) && sg_same_str(PyTuple_GET_ITEM(cached, 0), args[3])) {
            return Py_NewRef(PyTuple_GET_ITEM(cached, 1));
        }
    }
    return PyObject_Vectorcall(BR.ref_from_lexicons, args, nargs, kwnames);
}

/* ---- find_claims ---- */

/* The nspans of the records (exact ``type``, nspan in the slot at ``nspan_offset``) of the exact tuple
 * ``records``: their number, or -1 when the reference must answer. ``*out`` is ``small`` (room for 8) or PyMem
 * memory the caller frees. */
static Py_ssize_t
read_nspans(PyObject *records, PyTypeObject *type, Py_ssize_t nspan_offset, span *small, span **out)
{
    *out = small;
    if (records == NULL || !PyTuple_CheckExact(records)) {
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(records);
    if (n > 8 && (*out = PyMem_New(span, n)) == NULL) {
        *out = small;
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *record = PyTuple_GET_ITEM(records, i);
        PyObject *nspan = Py_TYPE(record) == type ? DT_SLOT(record, nspan_offset) : NULL;
        if (nspan == NULL || !PyTuple_CheckExact(nspan) || PyTuple_GET_SIZE(nspan) != 2
            || !as_ssize(PyTuple_GET_ITEM(nspan, 0), &(*out)[i].a)
            || !as_ssize(PyTuple_GET_ITEM(nspan, 1), &(*out)[i].b)) {
            return -1;
        }
    }
    return n;
}

static int
within(const span *spans, Py_ssize_t n, Py_ssize_t a, Py_ssize_t b)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        if (spans[i].a <= a && b <= spans[i].b) {
            return 1;
        }
    }
    return 0;
}

/* Whether a compiled pattern's method finds anything: 1, 0, or -1 with an exception set. */
static int
found(PyObject *method, PyObject *text, PyObject *pos, PyObject *endpos)
{
    PyObject *args[3] = {text, pos, endpos};
    PyObject *m = PyObject_Vectorcall(method, args, endpos == NULL ? 2 : 3, NULL);
    if (m == NULL) {
        return -1;
    }
    int result = m != Py_None;
    Py_DECREF(m);
    return result;
}

/* The patterns of _brands.py the pre-checks are written for: bind turns the pre-checks off for any other. */
static const char self_naming_pattern[] =
    "[^,.!?;:\u3002\uff0c]{0,4}?(?:\u901a\u77e5|\u63d0\u9192|\u544a\u77e5|\u516c\u544a|"
    "\u6e29\u99a8\u63d0\u793a|\u5ba2\u670d|:)";
static const char introduction_pattern[] =
    "(?:\u6211\u662f|\u6211\u4eec\u662f|\u8fd9\u91cc\u662f|\u672c\u4eba\u662f|\u6211\u65b9\u662f|"
    "\u6211\u53f8\u662f|\u6765\u81ea)[^,.!?;:\u3002\uff0c]{0,4}\\Z";

/* Whether one of the characters ``chars`` stands in text[from:to] (clipped to the text). */
static int
any_in(PyObject *text, Py_ssize_t from, Py_ssize_t to, const Py_UCS4 *chars, int n_chars)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    to = Py_MIN(to, PyUnicode_GET_LENGTH(text));
    for (Py_ssize_t i = Py_MAX(from, 0); i < to; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        for (int j = 0; j < n_chars; j++) {
            if (c == chars[j]) {
                return 1;
            }
        }
    }
    return 0;
}

/* Necessary conditions for a match, each only where pos (and endpos) lie in the text, where the pattern clips
 * nothing. _SELF_NAMING.match(text, end): an alternative starts after at most four characters, so ':' or the
 * first two characters of another alternative start in text[end:end + 5]. _INTRODUCTION.search(text, from,
 * start): every alternative ends in \u662f or \u81ea, followed by at most four characters before \Z (start). */
static int
may_name_itself(PyObject *text, Py_ssize_t end)
{
    static const Py_UCS4 first[] = {0x901a, 0x63d0, 0x544a, 0x516c, 0x6e29, 0x5ba2};
    static const Py_UCS4 second[] = {0x77e5, 0x9192, 0x77e5, 0x544a, 0x99a8, 0x670d};
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (!BR.prefilter || end < 0 || end > length) {
        return 1;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = end; i < Py_MIN(end + 5, length); i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == ':') {
            return 1;
        }
        for (int j = 0; i + 1 < length && j < 6; j++) {
            if (c == first[j] && PyUnicode_READ(kind, data, i + 1) == second[j]) {
                return 1;
            }
        }
    }
    return 0;
}

static int
may_be_introduced(PyObject *text, Py_ssize_t from, Py_ssize_t start)
{
    static const Py_UCS4 last[] = {0x662f, 0x81ea};
    return !BR.prefilter || start < 0 || start > PyUnicode_GET_LENGTH(text)
           || any_in(text, Py_MAX(from, start - 5), start, last, 2);
}

/* _names_itself or _introduced for a hit outside the signatures: 1, 0, or -1 with an exception set */
static int
speaks_as(PyObject *text, const name_hit *h, const span *signatures, Py_ssize_t n_signatures)
{
    Py_ssize_t opening = 0;
    for (Py_ssize_t i = 0; i < n_signatures; i++) {
        if (signatures[i].a == 0) {
            opening = signatures[i].b;
            break;
        }
    }
    if (h->b - opening <= BR.opening && may_name_itself(text, h->b)) {
        int r = found(BR.self_naming, text, h->end, NULL);
        if (r != 0) {
            return r;
        }
    }
    Py_ssize_t a = h->a - BR.window > 0 ? h->a - BR.window : 0;
    if (!may_be_introduced(text, a, h->a)) {
        return 0;
    }
    PyObject *from = PyLong_FromSsize_t(a);
    if (from == NULL) {
        return -1;
    }
    int r = found(BR.introduction, text, from, h->start);
    Py_DECREF(from);
    return r;
}

static int
claim_order(const void *x, const void *y)
{
    const name_hit *p = x, *q = y;
    if (p->in_signature != q->in_signature) {
        return p->in_signature ? -1 : 1;
    }
    if (p->a != q->a) {
        return p->a < q->a ? -1 : 1;
    }
    return (p->order > q->order) - (p->order < q->order);
}

/* The brand-name hits _name_hits keeps, from the read's hits (a snapshot): their number, or -1 for the
 * reference. */
static Py_ssize_t
name_hits(PyObject *snapshot, name_hit *kept)
{
    Py_ssize_t n = 0, last_end = -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(snapshot); i++) {
        PyObject *h = PyTuple_GET_ITEM(snapshot, i);
        if (Py_TYPE(h) != BR.hit_type || PyTuple_GET_SIZE(h) != 4) {
            return -1;
        }
        PyObject *entry = PyTuple_GET_ITEM(h, 0);
        name_hit *k = &kept[n];
        if (Py_TYPE(entry) != BR.entry_type || PyTuple_GET_SIZE(entry) != 5
            || !as_ssize(PyTuple_GET_ITEM(h, 1), &k->a) || !as_ssize(PyTuple_GET_ITEM(h, 2), &k->b)) {
            return -1;
        }
        if (k->a < last_end) {
            continue;
        }
        PyObject *kind = PyTuple_GET_ITEM(entry, 2), *attrs = PyTuple_GET_ITEM(entry, 3);
        if (!PyUnicode_CheckExact(kind)) {
            return -1;
        }
        int is_brand = sg_same_str(kind, BR.brand), is_claim = !is_brand && sg_same_str(kind, BR.claim_kind);
        if (!is_brand && !is_claim) {
            continue;
        }
        if (!PyTuple_CheckExact(attrs)) {
            return -1;
        }
        if (PyTuple_GET_SIZE(attrs) == 0) {
            continue;
        }
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(attrs, 0))) {
            return -1;
        }
        if (PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(attrs, 0)) == 0) {
            continue;
        }
        k->brand = PyTuple_GET_ITEM(attrs, 0);
        k->start = PyTuple_GET_ITEM(h, 1);
        k->end = PyTuple_GET_ITEM(h, 2);
        k->claim_only = is_claim;
        k->order = n++;
        last_end = k->b;
    }
    return n;
}

/* _find_claims as a tuple, from the hits of the read; FALLBACK for the reference */
static PyObject *
claims_fast(PyObject *ntext, PyObject *features, PyObject *hits)
{
    if (Py_TYPE(ntext) != BR.ntext_type || Py_TYPE(features) != BR.features_type
        || !(PyList_CheckExact(hits) || PyTuple_CheckExact(hits))) {
        return FALLBACK;
    }
    PyObject *text = DT_SLOT(ntext, BR.o_text);
    if (text == NULL || !PyUnicode_CheckExact(text)) {
        return FALLBACK;
    }
    Py_INCREF(text);
    PyObject *result = FALLBACK, *display = NULL;
    /* a snapshot of the hits: the calls below run Python, which could change the list */
    PyObject *snapshot = PyTuple_CheckExact(hits) ? Py_NewRef(hits) : PyList_AsTuple(hits);
    name_hit small_kept[8], *kept = small_kept;
    span small_signatures[8], small_links[8], *signatures = small_signatures, *links = small_links;
    Py_ssize_t n = -1, n_signatures = -1, n_links = -1;
    if (snapshot == NULL) {
        result = NULL;
        goto done;
    }
    if (PyTuple_GET_SIZE(snapshot) > 8 && (kept = PyMem_New(name_hit, PyTuple_GET_SIZE(snapshot))) == NULL) {
        kept = small_kept;
        result = PyErr_NoMemory();
        goto done;
    }
    if ((n = name_hits(snapshot, kept)) <= 0) {
        result = n == 0 ? PyTuple_New(0) : FALLBACK;
        goto done;
    }
    n_signatures = read_nspans(DT_SLOT(features, BR.o_signatures), BR.feature_type, BR.o_feature_nspan,
                               small_signatures, &signatures);
    if (n_signatures < 0 || (n_links = read_nspans(DT_SLOT(features, BR.o_links), BR.link_type,
                                                   BR.o_link_nspan, small_links, &links)) < 0) {
        goto done;
    }
    PyObject *message = PyObject_Vectorcall(BR.message, &ntext, 1, NULL);
    PyObject *env = message == NULL ? NULL : PyObject_GetAttr(message, BR.s_env);
    Py_XDECREF(message);
    if (env != NULL) {
        PyObject *args[4] = {PyTuple_GET_ITEM(BR.display_args, 0), PyTuple_GET_ITEM(BR.display_args, 1),
                             PyTuple_GET_ITEM(BR.display_args, 2), env};
        display = brands_from_lexicons(NULL, args, 4, NULL);
        Py_DECREF(env);
    }
    if (display == NULL || !PyDict_CheckExact(display)) {
        result = display == NULL ? NULL : FALLBACK;
        goto done;
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        name_hit *h = &kept[i];
        if (within(links, n_links, h->a, h->b)) {
            continue;
        }
        h->in_signature = within(signatures, n_signatures, h->a, h->b);
        h->speaks = h->in_signature ? 1 : speaks_as(text, h, signatures, n_signatures);
        if (h->speaks < 0) {
            result = NULL;
            goto done;
        }
        if (h->claim_only && !h->speaks) {
            continue;
        }
        kept[m++] = *h;
    }
    if (m > 1) {
        qsort(kept, (size_t)m, sizeof(name_hit), claim_order);
    }
    PyObject *claims = PyTuple_New(m);
    for (Py_ssize_t i = 0; claims != NULL && i < m; i++) {
        name_hit *h = &kept[i];
        PyObject *name = PyDict_GetItemWithError(display, h->brand);
        if (name == NULL && PyErr_Occurred()) {
            Py_CLEAR(claims);
            break;
        }
        PyObject *values[6] = {h->brand, name != NULL ? name : h->brand, h->start, h->end,
                               h->in_signature ? Py_True : Py_False, h->speaks ? Py_True : Py_False};
        PyObject *claim = sg_record_new(&BR.claim, values);
        if (claim == NULL) {
            Py_CLEAR(claims);
            break;
        }
        PyTuple_SET_ITEM(claims, i, claim);
    }
    result = claims;
done:
    Py_DECREF(text);
    Py_XDECREF(snapshot);
    Py_XDECREF(display);
    if (kept != small_kept) {
        PyMem_Free(kept);
    }
    if (signatures != small_signatures) {
        PyMem_Free(signatures);
    }
    if (links != small_links) {
        PyMem_Free(links);
    }
    return result;
}

static PyObject *
brands_find_claims(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (!BR.bound || nargs != 2 || kwnames != NULL) {
        return PyObject_Vectorcall(BR.ref_find_claims, args, nargs, kwnames);
    }
    PyObject *ntext = args[0], *features = args[1];
    PyObject *read = PyObject_Vectorcall(BR.read, &ntext, 1, NULL);
    if (read == NULL) {
        return NULL;
    }
    /* from here the reference may answer: it reads again, from the message's cache */
    if (!PyTuple_CheckExact(read) || PyTuple_GET_SIZE(read) != 2 || !PyList_CheckExact(BR.last)
        || PyList_GET_SIZE(BR.last) != 1) {
        Py_DECREF(read);
        return PyObject_Vectorcall(BR.ref_find_claims, args, nargs, NULL);
    }
    PyObject *hits = PyTuple_GET_ITEM(read, 1), *result = NULL;
    int any = PyList_CheckExact(hits) ? PyList_GET_SIZE(hits) > 0 : -2;
    if (any == 0) {
        Py_DECREF(read);
        return PyTuple_New(0);  /* most messages name no brand */
    }
    PyObject *last = PyList_GET_ITEM(BR.last, 0);
    if (any == 1 && PyTuple_CheckExact(last) && PyTuple_GET_SIZE(last) == 3) {
        if (PyTuple_GET_ITEM(last, 0) == ntext && PyTuple_GET_ITEM(last, 1) == features) {
            Py_DECREF(read);
            return Py_NewRef(PyTuple_GET_ITEM(last, 2));
        }
    }
    else if (any != 1 || last != Py_None) {
        Py_DECREF(read);
        return PyObject_Vectorcall(BR.ref_find_claims, args, nargs, NULL);
    }
    PyObject *claims = claims_fast(ntext, features, hits);
    Py_DECREF(read);
    if (claims == FALLBACK) {
        PyObject *list = PyObject_Vectorcall(BR.ref_claim_list, args, nargs, NULL);
        claims = list == NULL ? NULL : PySequence_Tuple(list);
        Py_XDECREF(list);
    }
    PyObject *entry = claims == NULL ? NULL : PyTuple_Pack(3, ntext, features, claims);
    if (entry != NULL && PyList_SetItem(BR.last, 0, entry) == 0) {
        result = Py_NewRef(claims);
    }
    Py_XDECREF(claims);
    return result;
}

/* ---- binding ---- */

/* Whether ``method`` is the bound method ``name`` of the compiled pattern ``pattern`` (UTF-8) with the flags
 * re.UNICODE alone: 1, 0, or -1 with an exception set. */
static int
is_pattern_method(PyObject *method, const char *name, const char *pattern)
{
    if (!PyCFunction_Check(method) || PyCFunction_GET_SELF(method) == NULL
        || strcmp(((PyCFunctionObject *)method)->m_ml->ml_name, name) != 0) {
        return 0;
    }
    return dt_is_pattern(PyCFunction_GET_SELF(method), pattern);
}

static PyObject *
brands_bind(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"claim", "normalized_text", "features", "link", "text_feature", "term_hit", "entry",
                               "read", "last", "self_naming", "introduction", "window", "opening", "brand",
                               "claim_kind", "message", "display_table_args", "derived", "references", NULL};
    static const char *const claim_fields[] = {"brand", "name", "start", "end", "in_signature", "speaks", NULL};
    PyObject *claim, *types[6], *read, *last, *self_naming, *introduction, *brand, *claim_kind, *message, *display;
    PyObject *derived, *refs;
    Py_ssize_t window, opening;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "$O!O!O!O!O!O!O!OO!OOnnUUOO!O!O!:bind", keywords, &PyType_Type,
                                     &claim, &PyType_Type, &types[0], &PyType_Type, &types[1], &PyType_Type,
                                     &types[2], &PyType_Type, &types[3], &PyType_Type, &types[4], &PyType_Type,
                                     &types[5], &read, &PyList_Type, &last, &self_naming, &introduction, &window,
                                     &opening, &brand, &claim_kind, &message, &PyTuple_Type, &display, &PyDict_Type, &derived,
                                     &PyDict_Type, &refs)) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(display) != 3) {
        PyErr_SetString(PyExc_TypeError, "bind: display_table_args is (key, names, build)");
        return NULL;
    }
    static const char *const ref_names[] = {"find_claims", "_find_claims", "from_lexicons"};
    PyObject *ref[3];
    for (int i = 0; i < 3; i++) {
        if ((ref[i] = PyDict_GetItemString(refs, ref_names[i])) == NULL || !PyCallable_Check(ref[i])) {
            return PyErr_Format(PyExc_TypeError, "bind: references needs a function %s", ref_names[i]);
        }
    }
    if (!PyType_IsSubtype((PyTypeObject *)types[4], &PyTuple_Type)
        || !PyType_IsSubtype((PyTypeObject *)types[5], &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "bind: TermHit and Entry must be tuples");
        return NULL;
    }
    Py_ssize_t o_text, o_signatures, o_links, o_feature_nspan, o_link_nspan;
    if (dt_slot_offset(types[0], "text", &o_text) < 0 || dt_slot_offset(types[1], "signatures", &o_signatures) < 0
        || dt_slot_offset(types[1], "links", &o_links) < 0 || dt_slot_offset(types[2], "nspan", &o_link_nspan) < 0
        || dt_slot_offset(types[3], "nspan", &o_feature_nspan) < 0) {
        return NULL;
    }
    int prefilter = is_pattern_method(self_naming, "match", self_naming_pattern);
    if (prefilter > 0) {
        prefilter = is_pattern_method(introduction, "search", introduction_pattern);
    }
    if (prefilter < 0) {
        return NULL;
    }
    sg_record record;
    if (sg_record_init(&record, claim, claim_fields) < 0) {
        return NULL;
    }
    sg_record_clear(&BR.claim);
    BR.claim = record;
    PyTypeObject **type_slots[] = {&BR.ntext_type, &BR.features_type, &BR.link_type, &BR.feature_type,
                                   &BR.hit_type, &BR.entry_type};
    for (int i = 0; i < 6; i++) {
        Py_XSETREF(*type_slots[i], (PyTypeObject *)Py_NewRef(types[i]));
    }
    PyObject **slots[] = {&BR.read, &BR.last, &BR.self_naming, &BR.introduction, &BR.brand, &BR.claim_kind,
                          &BR.message, &BR.display_args, &BR.derived, &BR.ref_find_claims,
                          &BR.ref_claim_list, &BR.ref_from_lexicons};
    PyObject *values[] = {read, last, self_naming, introduction, brand, claim_kind, message, display, derived,
                          ref[0], ref[1], ref[2]};
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        Py_XSETREF(*slots[i], Py_NewRef(values[i]));
    }
    BR.window = window;
    BR.opening = opening;
    BR.prefilter = prefilter;
    BR.o_text = o_text;
    BR.o_signatures = o_signatures;
    BR.o_links = o_links;
    BR.o_feature_nspan = o_feature_nspan;
    BR.o_link_nspan = o_link_nspan;
    BR.bound = 1;
    return PyBool_FromLong(prefilter);  /* whether the pre-checks of the patterns are on */
}

#define FAST(name, doc) {#name, (PyCFunction)(void (*)(void))brands_##name, METH_FASTCALL | METH_KEYWORDS, doc}
static PyMethodDef brands_methods[] = {
    FAST(find_claims, "find_claims(ntext, features)"),
    FAST(from_lexicons, "from_lexicons(key, names, build, env=None)"),
    {"bind", (PyCFunction)(void (*)(void))brands_bind, METH_VARARGS | METH_KEYWORDS,
     "bind(*, claim, normalized_text, features, link, text_feature, term_hit, entry, read, last, self_naming, "
     "introduction, window, opening, brand, claim_kind, message, display_table_args, derived, references) -> "
     "whether the pre-checks of the patterns are on"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef brands_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._cbrands",
    "C versions of the hot brand helpers of the link and sender checkers (see plugins/_brands.py).", -1,
    brands_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__cbrands(void)
{
    if (BR.s_env == NULL && (BR.s_env = PyUnicode_InternFromString("env")) == NULL) {
        return NULL;
    }
    return PyModule_Create(&brands_module);
}
