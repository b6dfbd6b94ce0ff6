/* smsguard_plugins._cevidence, second part: the hit groupings of plugins/_evidence.py (by_kind, resolve_overlaps,
 * occurrences, inside) and the text cues of plugins/_cues.py (context_of, reader_directed, negated,
 * impersonated). The cues' word lists, windows and character classes come from _cues.py (bind_cues): the C
 * tests the same patterns on the same words. See evidence.h for the rules both parts follow.
 */
#include "evidence.h"

/* ---- grouping ---- */

/* Two kinds (exact strs) equal: the lexicons' entries hold equal kinds as distinct strs, whose hashes are kept */
static int
same_kind(PyObject *a, PyObject *b)
{
    return a == b || (PyObject_Hash(a) == PyObject_Hash(b) && PyUnicode_Compare(a, b) == 0);
}

/* resolve_overlaps: of two overlapping hits of different kinds, the longer (or as long and earlier) wins.
 * *beaten is NULL when no hit is beaten. */
static int
find_beaten(const ev_hits *hs, char **beaten)
{
    *beaten = NULL;
    Py_ssize_t last_end = -1, i = 0;
    for (; i < hs->n && hs->hits[i].span.a >= last_end; i++) {
        last_end = hs->hits[i].span.b;
    }
    if (i == hs->n) {
        return 0;   /* nothing overlaps: the common case */
    }
    char *flags = PyMem_Calloc((size_t)hs->n, 1);
    if (flags == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int any = 0;
    for (i = 0; i < hs->n; i++) {
        const ev_hit *a = &hs->hits[i];
        for (Py_ssize_t j = i + 1; j < hs->n && hs->hits[j].span.a < a->span.b; j++) {
            const ev_hit *b = &hs->hits[j];
            PyObject *ka = PyTuple_GET_ITEM(a->entry, 2), *kb = PyTuple_GET_ITEM(b->entry, 2);
            if (!same_kind(ka, kb)) {
                flags[a->span.b - a->span.a >= b->span.b - b->span.a ? j : i] = 1;
                any = 1;
            }
        }
    }
    if (any) {
        *beaten = flags;
    }
    else {
        PyMem_Free(flags);
    }
    return 0;
}

/* by_kind with a dict look-up per hit: for hits of very many kinds */
static PyObject *
grouped_by_lookup(const ev_hits *hs, const char *beaten)
{
    PyObject *result = PyDict_New();
    for (Py_ssize_t i = 0; result != NULL && i < hs->n; i++) {
        PyObject *hit = hs->hits[i].hit, *kind = PyTuple_GET_ITEM(hs->hits[i].entry, 2);
        if (beaten != NULL && beaten[i]) {
            continue;
        }
        PyObject *group = PyDict_GetItemWithError(result, kind);
        if (group != NULL) {
            if (PyList_Append(group, hit) < 0) {
                Py_CLEAR(result);
            }
        }
        else if (PyErr_Occurred() || (group = PyList_New(1)) == NULL) {
            Py_CLEAR(result);
        }
        else {
            PyList_SET_ITEM(group, 0, Py_NewRef(hit));
            if (PyDict_SetItem(result, kind, group) < 0) {
                Py_CLEAR(result);
            }
            Py_DECREF(group);
        }
    }
    return result;
}

#define EV_KINDS 32

/* The hits not beaten: a list (RESOLVE), or by kind, each kind's list made at its size, the kinds in the order
 * they first come (as setdefault inserts them; equal kinds are one key, the first one's str). */
static PyObject *
grouped(const ev_hits *hs, const char *beaten, int what)
{
    Py_ssize_t kept = 0;
    if (what == RESOLVE) {
        for (Py_ssize_t i = 0; i < hs->n; i++) {
            kept += beaten == NULL || !beaten[i];
        }
        PyObject *result = PyList_New(kept);
        for (Py_ssize_t i = 0, j = 0; result != NULL && i < hs->n; i++) {
            if (beaten == NULL || !beaten[i]) {
                PyList_SET_ITEM(result, j++, Py_NewRef(hs->hits[i].hit));
            }
        }
        return result;
    }
    PyObject *kinds[EV_KINDS], *lists[EV_KINDS] = {NULL}, *result = NULL;
    Py_ssize_t sizes[EV_KINDS], small[EV_SMALL], *group = hs->n <= EV_SMALL ? small : PyMem_New(Py_ssize_t, hs->n);
    Py_ssize_t count = 0;
    if (group == NULL) {
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < hs->n; i++) {
        if (beaten != NULL && beaten[i]) {
            continue;
        }
        PyObject *kind = PyTuple_GET_ITEM(hs->hits[i].entry, 2);
        Py_ssize_t g = 0;
        while (g < count && !same_kind(kinds[g], kind)) {
            g++;
        }
        if (g == count) {
            if (count == EV_KINDS) {
                result = grouped_by_lookup(hs, beaten);
                goto done;
            }
            kinds[count] = kind;
            sizes[count++] = 0;
        }
        group[i] = g;
        sizes[g]++;
    }
    for (Py_ssize_t g = 0; g < count; g++) {
        if ((lists[g] = PyList_New(sizes[g])) == NULL) {
            goto done;
        }
        sizes[g] = 0;   /* from here on, how many are in */
    }
    for (Py_ssize_t i = 0; i < hs->n; i++) {
        if (beaten == NULL || !beaten[i]) {
            PyList_SET_ITEM(lists[group[i]], sizes[group[i]]++, Py_NewRef(hs->hits[i].hit));
        }
    }
    result = PyDict_New();
    for (Py_ssize_t g = 0; result != NULL && g < count; g++) {
        if (PyDict_SetItem(result, kinds[g], lists[g]) < 0) {
            Py_CLEAR(result);
        }
    }
done:
    for (Py_ssize_t g = 0; g < count; g++) {
        Py_XDECREF(lists[g]);
    }
    if (group != small) {
        PyMem_Free(group);
    }
    return result;
}

/* by start, then the longest first: the order of occurrences' sort key (start, -end) */
static int
longest_first(const void *x, const void *y)
{
    const ev_pair *p = x, *q = y;
    if (p->a != q->a) {
        return p->a < q->a ? -1 : 1;
    }
    return (p->b < q->b) - (p->b > q->b);
}

static PyObject *
occurrences(const ev_hits *hs)
{
    ev_pair *p = PyMem_New(ev_pair, hs->n + 1);
    if (p == NULL) {
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < hs->n; i++) {
        p[i] = hs->hits[i].span;
    }
    qsort(p, (size_t)hs->n, sizeof(ev_pair), longest_first);
    Py_ssize_t count = 0, last_end = -1;
    for (Py_ssize_t i = 0; i < hs->n; i++) {
        count += p[i].a >= last_end;
        last_end = p[i].b > last_end ? p[i].b : last_end;
    }
    PyMem_Free(p);
    return PyLong_FromSsize_t(count);
}

PyObject *
ev_group(PyObject *hits, int what)
{
    ev_hits hs;
    char *beaten = NULL;
    int ok = ev_read_hits(hits, &hs);
    if (ok <= 0) {
        return ok < 0 ? NULL : FALLBACK;
    }
    PyObject *result = NULL;
    if (what == COUNT) {
        result = occurrences(&hs);
    }
    else if (what == GROUP || find_beaten(&hs, &beaten) == 0) {
        result = grouped(&hs, beaten, what);
    }
    PyMem_Free(beaten);
    ev_free_hits(&hs);
    return result;
}

PyObject *
evidence_inside(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    ev_hit hit;
    ev_pair span;
    if (!EV.bound || nargs != 2 || kwnames != NULL || !ev_read_hit(args[0], &hit)
        || !(PyList_CheckExact(args[1]) || PyTuple_CheckExact(args[1]))) {
        return ev_call_reference(REF_INSIDE, args, nargs, kwnames);
    }
    /* bisect_right(spans, hit.start, key=span start) - 1, reading only the spans bisect reads */
    PyObject *spans = args[1];
    Py_ssize_t lo = 0, hi = PySequence_Fast_GET_SIZE(spans);
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (!ev_read_nspan(PySequence_Fast_GET_ITEM(spans, mid), 0, &span)) {
            return ev_call_reference(REF_INSIDE, args, nargs, kwnames);
        }
        if (hit.span.a < span.a) {
            hi = mid;
        }
        else {
            lo = mid + 1;
        }
    }
    if (lo == 0) {
        Py_RETURN_NONE;
    }
    if (!ev_read_nspan(PySequence_Fast_GET_ITEM(spans, lo - 1), 0, &span)) {
        return ev_call_reference(REF_INSIDE, args, nargs, kwnames);
    }
    if (span.a <= hit.span.a && hit.span.b <= span.b) {
        return PyLong_FromSsize_t(lo - 1);
    }
    Py_RETURN_NONE;
}

/* ---- the reader context ---- */

/* container[i] as Python reads it */
static PyObject *
item(PyObject *container, Py_ssize_t i)
{
    if (PyTuple_CheckExact(container) && i < PyTuple_GET_SIZE(container)) {
        return Py_NewRef(PyTuple_GET_ITEM(container, i));
    }
    if (PyList_CheckExact(container) && i < PyList_GET_SIZE(container)) {
        return Py_NewRef(PyList_GET_ITEM(container, i));
    }
    PyObject *index = PyLong_FromSsize_t(i);
    PyObject *value = index == NULL ? NULL : PyObject_GetItem(container, index);
    Py_XDECREF(index);
    return value;
}

PyObject *
evidence_context_of(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *terms = EV.bound && EV.cues != NULL && nargs == 1 && kwnames == NULL
                          ? PyDict_GetItemWithError(EV.cues, EV.s_context_terms)
                          : NULL;
    if (terms == NULL) {
        return PyErr_Occurred() ? NULL : ev_call_reference(REF_CONTEXT_OF, args, nargs, kwnames);
    }
    /* CONTEXT_TERMS.read(ntext)[1]: the same list all the message long */
    PyObject *call[2] = {Py_NewRef(terms), args[0]};
    PyObject *read = PyObject_VectorcallMethod(EV.s_read, call, 2, NULL);
    Py_DECREF(call[0]);
    PyObject *hits = read == NULL ? NULL : item(read, 1);
    Py_XDECREF(read);
    if (hits == NULL) {
        return NULL;
    }
    PyObject *result = NULL, *last = NULL, *cache = PyDict_GetItemWithError(EV.cues, EV.s_context_last);
    if (cache == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_NameError, "name '%U' is not defined", EV.s_context_last);
        }
        goto done;
    }
    Py_INCREF(cache);
    if ((last = item(cache, 0)) == NULL) {
        goto done;
    }
    if (last != Py_None) {
        PyObject *first = item(last, 0);
        if (first == NULL) {
            goto done;
        }
        Py_DECREF(first);   /* only its identity counts */
        if (first == hits) {
            result = item(last, 1);
            goto done;
        }
    }
    PyObject *groups = ev_group(hits, RESOLVE_AND_GROUP);
    if (groups == FALLBACK) {
        PyObject *resolved = ev_call_reference(REF_RESOLVE_OVERLAPS, &hits, 1, NULL);
        groups = resolved == NULL ? NULL : ev_call_reference(REF_BY_KIND, &resolved, 1, NULL);
        Py_XDECREF(resolved);
    }
    if (groups == NULL) {
        goto done;
    }
    PyObject *pair = PyTuple_Pack(2, hits, groups), *zero = PyLong_FromLong(0);
    if (pair != NULL && zero != NULL && PyObject_SetItem(cache, zero, pair) == 0) {
        result = Py_NewRef(groups);
    }
    Py_XDECREF(pair);
    Py_XDECREF(zero);
    Py_DECREF(groups);
done:
    Py_XDECREF(last);
    Py_XDECREF(cache);
    Py_DECREF(hits);
    return result;
}

/* the truth of grouped.get(key) for an exact dict; -1 on error */
static int
present(PyObject *groups, PyObject *key)
{
    PyObject *value = PyDict_GetItemWithError(groups, key);
    if (value == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    Py_INCREF(value);
    int truth = PyObject_IsTrue(value);
    Py_DECREF(value);
    return truth;
}

PyObject *
evidence_reader_directed(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (!EV.bound || nargs != 1 || kwnames != NULL || !PyDict_CheckExact(args[0])) {
        return ev_call_reference(REF_READER_DIRECTED, args, nargs, kwnames);
    }
    int found = present(args[0], EV.s_debt);
    if (found != 0) {
        return found < 0 ? NULL : Py_NewRef(Py_True);
    }
    if ((found = present(args[0], EV.s_address)) == 0) {
        found = present(args[0], EV.s_request);
    }
    if (found <= 0) {
        return found < 0 ? NULL : Py_NewRef(Py_False);
    }
    found = present(args[0], EV.s_framing);
    return found < 0 ? NULL : PyBool_FromLong(!found);
}

/* ---- words ---- */

/* The length of word i of w at t[pos:limit], 0 when it is not there. */
static Py_ssize_t
word_at(const ev_words *w, Py_ssize_t i, const ev_text *t, Py_ssize_t pos, Py_ssize_t limit)
{
    Py_ssize_t from = i > 0 ? w->ends[i - 1] : 0, length = w->ends[i] - from;
    if (pos + length > limit) {
        return 0;
    }
    for (Py_ssize_t k = 0; k < length; k++) {
        if (PyUnicode_READ(t->kind, t->data, pos + k) != w->chars[from + k]) {
            return 0;
        }
    }
    return length;
}

static int
any_word_at(const ev_words *w, const ev_text *t, Py_ssize_t pos, Py_ssize_t limit)
{
    if (pos >= limit) {
        return 0;
    }
    uint64_t candidates = w->by_first[PyUnicode_READ(t->kind, t->data, pos) & 0xFF];
    for (Py_ssize_t i = 0; candidates != 0; i++, candidates >>= 1) {
        if ((candidates & 1) && word_at(w, i, t, pos, limit)) {
            return 1;
        }
    }
    for (Py_ssize_t i = 64; i < w->count; i++) {
        if (word_at(w, i, t, pos, limit)) {
            return 1;
        }
    }
    return 0;
}

/* Whether c is in the class w (words of one character each, chars[i] the word i) */
static inline int
in_class(const ev_words *w, Py_UCS4 c)
{
    uint64_t candidates = w->by_first[c & 0xFF];
    for (Py_ssize_t i = 0; candidates != 0; i++, candidates >>= 1) {
        if ((candidates & 1) && w->chars[i] == c) {
            return 1;
        }
    }
    for (Py_ssize_t i = 64; i < w->count; i++) {
        if (w->chars[i] == c) {
            return 1;
        }
    }
    return 0;
}

/* The first position after the last character of the class w in t[lo:hi], lo when there is none. */
static Py_ssize_t
after_last(const ev_words *w, const ev_text *t, Py_ssize_t lo, Py_ssize_t hi)
{
    for (Py_ssize_t i = hi - 1; i >= lo; i--) {
        if (in_class(w, PyUnicode_READ(t->kind, t->data, i))) {
            return i + 1;
        }
    }
    return lo;
}

/* t[lo:hi] as the pattern (?:words)[^clause ends]*\Z searched in it sees it: a word after the last clause end */
static int
governed(const ev_words *w, const ev_text *t, Py_ssize_t lo, Py_ssize_t hi)
{
    for (Py_ssize_t p = after_last(&EV.words[W_CLAUSE_ENDS], t, lo, hi); p < hi; p++) {
        if (any_word_at(w, t, p, hi)) {
            return 1;
        }
    }
    return 0;
}

/* _CLAUSE_NEGATION: a denial of the clause, or 不会 and a denied ask at most DENIAL_GAP characters after it */
static int
clause_denied(const ev_text *t, Py_ssize_t lo, Py_ssize_t hi)
{
    const ev_words *denial = &EV.words[W_DENIAL];
    for (Py_ssize_t p = after_last(&EV.words[W_CLAUSE_ENDS], t, lo, hi); p < hi; p++) {
        if (any_word_at(&EV.words[W_CLAUSE_DENIALS], t, p, hi)) {
            return 1;
        }
        for (Py_ssize_t i = 0; i < denial->count; i++) {
            Py_ssize_t length = word_at(denial, i, t, p, hi);
            for (Py_ssize_t q = p + length; length && q <= p + length + EV.numbers[N_DENIAL_GAP]; q++) {
                if (any_word_at(&EV.words[W_DENIED_ASKS], t, q, hi)) {
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* _WARNED_AFTER.match(text, end): up to WARNED_GAP characters of the sentence, a copula, a word of fraud */
static int
warned_after(const ev_text *t, Py_ssize_t end)
{
    const ev_words *copulas = &EV.words[W_COPULAS];
    for (Py_ssize_t q = end; q <= end + EV.numbers[N_WARNED_GAP] && q < t->length; q++) {
        if (q > end && any_word_at(&EV.words[W_SENTENCE_ENDS], t, q - 1, q)) {
            return 0;
        }
        uint64_t candidates = copulas->by_first[PyUnicode_READ(t->kind, t->data, q) & 0xFF];
        for (Py_ssize_t i = 0; i < copulas->count; i++) {
            if (i < 64 && !((candidates >> i) & 1)) {
                continue;
            }
            Py_ssize_t length = word_at(copulas, i, t, q, t->length);
            if (length && any_word_at(&EV.words[W_FRAUD_WORDS], t, q + length, t->length)) {
                return 1;
            }
        }
    }
    return 0;
}

/* max(0, start - window) and start, clamped to the text as re clamps pos and endpos */
static void
window(const ev_text *t, Py_ssize_t start, Py_ssize_t size, Py_ssize_t *lo, Py_ssize_t *hi)
{
    *hi = start < t->length ? start : t->length;
    *lo = start > size ? start - size : 0;
    *lo = *lo < *hi ? *lo : *hi;
}

#define IN_CLASS_LOOP(type)                                     \
    for (Py_ssize_t i = lo; i < hi; i++) {                      \
        if (in_class(chars, ((const type *)t->data)[i])) {      \
            return 1;                                           \
        }                                                       \
    }                                                           \
    return 0;

int
ev_any_in(const ev_words *chars, const ev_text *t, Py_ssize_t lo, Py_ssize_t hi)
{
    switch (t->kind) {
    case PyUnicode_1BYTE_KIND:
        IN_CLASS_LOOP(Py_UCS1)
    case PyUnicode_2BYTE_KIND:
        IN_CLASS_LOOP(Py_UCS2)
    default:
        IN_CLASS_LOOP(Py_UCS4)
    }
}

static int
negated(const ev_text *t, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t lo, hi, near_lo, far_lo;
    window(t, start, EV.numbers[N_CLAUSE_WINDOW], &lo, &hi);
    window(t, start, EV.numbers[N_NEAR_WINDOW], &near_lo, &hi);
    window(t, start, EV.numbers[N_FAR_WINDOW], &far_lo, &hi);
    if (ev_any_in(&EV.words[W_NEGATOR_FIRST], t, lo, hi)
        && (governed(&EV.words[W_NEGATORS], t, near_lo, hi) || governed(&EV.words[W_FAR_NEGATORS], t, far_lo, hi)
            || clause_denied(t, lo, hi))) {
        return 1;
    }
    /* re clamps a position past the end to the end, where the words of the warning do not fit */
    Py_ssize_t warned_end = end + EV.numbers[N_WARNED_WINDOW];
    warned_end = warned_end < t->length ? warned_end : t->length;
    return end < t->length && ev_any_in(&EV.words[W_WARNING_CHARS], t, end, warned_end) && warned_after(t, end);
}

PyObject *
evidence_negated(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    Py_ssize_t start, end;
    if (!EV.bound || EV.cues == NULL || nargs != 3 || kwnames != NULL || !PyUnicode_CheckExact(args[0])
        || !ev_as_index(args[1], &start) || !ev_as_index(args[2], &end)) {
        return ev_call_reference(REF_NEGATED, args, nargs, kwnames);
    }
    if (PyUnicode_READY(args[0]) < 0) {
        return NULL;
    }
    ev_text t = EV_TEXT_OF(args[0]);
    return PyBool_FromLong(negated(&t, start, end));
}

PyObject *
evidence_impersonated(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    Py_ssize_t start, lo, hi;
    if (!EV.bound || EV.cues == NULL || nargs != 2 || kwnames != NULL || !PyUnicode_CheckExact(args[0])
        || !ev_as_index(args[1], &start)) {
        return ev_call_reference(REF_IMPERSONATED, args, nargs, kwnames);
    }
    if (PyUnicode_READY(args[0]) < 0) {
        return NULL;
    }
    ev_text t = EV_TEXT_OF(args[0]);
    window(&t, start, EV.numbers[N_NEAR_WINDOW], &lo, &hi);
    return PyBool_FromLong(governed(&EV.words[W_POSING], &t, lo, hi));
}

/* ---- binding the words ---- */

static const char *const WORD_KEYS[N_WORDS] = {
    "negators", "far_negators", "clause_denials", "denial", "denied_asks", "posing", "copulas", "fraud_words",
    "clause_ends", "sentence_ends", "negator_first", "warning_chars", "clause_marks",
};
#define FIRST_CHARACTER_CLASS W_CLAUSE_ENDS   /* the keys from here on are classes of characters, not "a|b" */
static const char *const NUMBER_KEYS[N_NUMBERS] = {
    "near_window", "far_window", "clause_window", "denial_gap", "warned_gap", "warned_window",
};

static int
read_words(PyObject *s, int characters, ev_words *w)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(s), count = 0, out = 0;
    Py_UCS4 *chars = PyUnicode_AsUCS4Copy(s);
    Py_ssize_t *ends = chars == NULL ? NULL : PyMem_New(Py_ssize_t, length + 1);
    if (ends == NULL) {
        PyMem_Free(chars);
        return chars == NULL ? -1 : (PyErr_NoMemory(), -1);
    }
    int empty = length == 0;
    for (Py_ssize_t i = 0; i <= length && !empty; i++) {
        if (characters ? i > 0 : i == length || chars[i] == '|') {
            empty = out == (count > 0 ? ends[count - 1] : 0);
            ends[count++] = out;
        }
        if (i < length && (characters || chars[i] != '|')) {
            chars[out++] = chars[i];
        }
    }
    if (empty) {
        PyMem_Free(chars);
        PyMem_Free(ends);
        PyErr_SetString(PyExc_ValueError, "bind_cues: an empty word");
        return -1;
    }
    PyMem_Free(w->chars);
    PyMem_Free(w->ends);
    w->count = count;
    w->chars = chars;
    w->ends = ends;
    memset(w->by_first, 0, sizeof(w->by_first));
    for (Py_ssize_t i = 0; i < count && i < 64; i++) {
        w->by_first[chars[i > 0 ? ends[i - 1] : 0] & 0xFF] |= (uint64_t)1 << i;
    }
    return 0;
}

int
ev_bind_words(PyObject *words)
{
    for (int i = 0; i < N_WORDS + N_NUMBERS; i++) {
        const char *key = i < N_WORDS ? WORD_KEYS[i] : NUMBER_KEYS[i - N_WORDS];
        PyObject *value = PyDict_GetItemString(words, key);
        if (value == NULL || (i < N_WORDS ? !PyUnicode_Check(value) : !PyLong_Check(value))) {
            PyErr_Format(PyExc_ValueError, "bind_cues: %s missing or of the wrong type", key);
            return -1;
        }
        if (i < N_WORDS && read_words(value, i >= FIRST_CHARACTER_CLASS, &EV.words[i]) < 0) {
            return -1;
        }
        Py_ssize_t number = i < N_WORDS ? 0 : PyLong_AsSsize_t(value);
        if (number < 0 || number > 1000) {
            PyErr_Format(PyExc_ValueError, "bind_cues: %s out of range", key);
            return -1;
        }
        if (i >= N_WORDS) {
            EV.numbers[i - N_WORDS] = number;
        }
    }
    return 0;
}
