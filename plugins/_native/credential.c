/* smsguard_plugins._ccredential: the body of the credential detector (plugins/credential.py) in C.
 *
 * bind() takes the reference (detect_reference), the term set's read, the shared helpers of _cues and _evidence,
 * the detector's own helpers for its rarer steps (_asked, _code_value, _app_follows, the _OTHERS pattern) and its
 * tables, and returns a Detector: a callable with the reference's signature and results. The steps are those of
 * the reference, in its order, each shared or helper step a call of the object bound. What the C adds is the
 * loop around them, sorting by start, and tests that skip a call whose answer is known:
 *   - _asked(t, hit, cues) is false unless a cue ends in the ask_before characters before the hit or starts in
 *     the ask_after after it (where HitIndex.ending_in and starting_in look; an index of no hits is false): the
 *     reference makes the two indexes first, the C only when _asked is to be called;
 *   - a match of _CODE_VALUE is a run of code_min_digits decimal digits (\d: Py_UNICODE_ISDECIMAL), so
 *     _code_value finds nothing in a window (the range it searches) without one.
 * A read that is not (str, list of plain TermHits), or a call of another shape, goes to the reference before
 * anything else is done.
 */
#include "credential.h"

/* ---- reading hits and calling the bound helpers (detector.h) ---- */

#define HIT_TYPES(d) (PyTypeObject *)(d)->f[F_TERM_HIT], (PyTypeObject *)(d)->f[F_ENTRY]
#define plain_entry(d, h) dt_plain_entry(HIT_TYPES(d), (h))
#define plain_span(d, h, start, end) dt_plain_span(HIT_TYPES(d), (h), (start), (end))
#define hit_field(d, h, index) dt_hit_field(HIT_TYPES(d), (h), (index))
#define entry_field(d, h, index) dt_entry_field(HIT_TYPES(d), (h), (index))
#define is_negated(d, t, h) dt_hit_negated((d)->f[F_NEGATED], HIT_TYPES(d), (t), (h))
#define extend_from(out, g, key) dt_extend_from((out), (g), (key), cr_empty_tuple)
#define group_get(g, key) dt_get((g), (key), cr_empty_tuple)

/* signals.append(make_signal(name, text, hits[, keyword=extra])) */
static int
append_signal(const Detector *d, PyObject *signals, PyObject *name, PyObject *text, PyObject *hits,
              PyObject *keyword, PyObject *extra)
{
    PyObject *args[4] = {name, text, hits, extra};
    return dt_append_call(signals, d->f[F_MAKE_SIGNAL], args, 3, keyword);
}

/* Whether one of cues (a list) ends in the ask_before characters before h or starts in the ask_after after it:
 * the ranges _asked looks in with HitIndex.ending_in and starting_in. 1 when a hit is not plain. */
static int
may_be_asked(const Detector *d, PyObject *cues, PyObject *h)
{
    Py_ssize_t start, end, cue_start, cue_end;
    if (!plain_span(d, h, &start, &end)) {
        return 1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(cues); i++) {
        if (!plain_span(d, PyList_GET_ITEM(cues, i), &cue_start, &cue_end)) {
            return 1;
        }
        if ((start - d->n[N_ASK_BEFORE] <= cue_end && cue_end <= start)
            || (end <= cue_start && cue_start <= end + d->n[N_ASK_AFTER])) {
            return 1;
        }
    }
    return 0;
}

/* _asked(t, h, HitIndex(cues)), the index made at its first use into *index; false without a call when no cue
 * lies where _asked looks (so also when there are none: an empty index is false) */
static int
asked(const Detector *d, PyObject *t, PyObject *h, PyObject *cues, PyObject **index)
{
    if (!may_be_asked(d, cues, h)) {
        return 0;
    }
    if (*index == NULL && (*index = PyObject_CallOneArg(d->f[F_HIT_INDEX], cues)) == NULL) {
        return -1;
    }
    return dt_call_test(d->f[F_ASKED], t, h, *index, NULL);
}

/* ---- sorting ---- */

typedef struct {
    Py_ssize_t start, index;
} by_start;

static int
by_start_order(const void *x, const void *y)
{
    const by_start *p = x, *q = y;
    if (p->start != q->start) {
        return p->start < q->start ? -1 : 1;
    }
    return (p->index > q->index) - (p->index < q->index);
}

/* sorted(hits, key=_start) for a list: a stable sort on the starts in C when all are plain, else list.sort */
static PyObject *
sorted_by_start(const Detector *d, PyObject *hits)
{
    Py_ssize_t n = PyList_GET_SIZE(hits), end;
    by_start *keys = PyMem_New(by_start, n + 1);
    if (keys == NULL) {
        return PyErr_NoMemory();
    }
    int plain = 1;
    for (Py_ssize_t i = 0; plain && i < n; i++) {
        keys[i].index = i;
        plain = plain_span(d, PyList_GET_ITEM(hits, i), &keys[i].start, &end);
    }
    PyObject *result = plain ? PyList_New(n) : PySequence_List(hits);
    if (result != NULL && plain) {
        qsort(keys, (size_t)n, sizeof(by_start), by_start_order);
        for (Py_ssize_t i = 0; i < n; i++) {
            PyList_SET_ITEM(result, i, Py_NewRef(PyList_GET_ITEM(hits, keys[i].index)));
        }
    }
    else if (result != NULL) {
        PyObject *args[2] = {result, d->f[F_START]};
        PyObject *none = PyObject_VectorcallMethod(cr_str[S_SORT], args, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, cr_kw_key);
        if (none == NULL) {
            Py_CLEAR(result);
        }
        Py_XDECREF(none);
    }
    PyMem_Free(keys);
    return result;
}

/* ---- the detector ---- */

/* Whether t[lo:hi] holds a run of `digits` decimal digits. */
static int
has_digit_run(PyObject *t, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t digits)
{
    int kind = PyUnicode_KIND(t);
    const void *data = PyUnicode_DATA(t);
    Py_ssize_t run = 0;
    hi = hi < PyUnicode_GET_LENGTH(t) ? hi : PyUnicode_GET_LENGTH(t);
    for (Py_ssize_t i = lo; i < hi; i++) {
        run = Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i)) ? run + 1 : 0;
        if (run >= digits) {
            return 1;
        }
    }
    return 0;
}

/* The one-time codes delivered next to the code terms: their hits into hits, _code_value's spans into spans. */
static int
codes_of(const Detector *d, PyObject *t, PyObject *g, PyObject *hits, PyObject *spans)
{
    PyObject *codes = PyList_New(0);
    int rc = codes == NULL || extend_from(codes, g, cr_str[S_CODE]) < 0 ? -1 : 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(codes); i++) {
        PyObject *h = PyList_GET_ITEM(codes, i);
        Py_ssize_t start, end, w = d->n[N_CODE_WINDOW];
        if (plain_span(d, h, &start, &end) && !has_digit_run(t, start > w ? start - w : 0, end + w, d->n[N_CODE_MIN_DIGITS])) {
            continue;
        }
        PyObject *args[2] = {t, h};
        PyObject *span = PyObject_Vectorcall(d->f[F_CODE_VALUE], args, 2, NULL);
        if (span == NULL) {
            rc = -1;
        }
        else if (span != Py_None && (PyList_Append(hits, h) < 0 || PyList_Append(spans, span) < 0)) {
            rc = -1;
        }
        Py_XDECREF(span);
    }
    Py_XDECREF(codes);
    return rc;
}

/* ",".join(k for k in _CREDENTIAL_KINDS if any(h.kind == k for h in requested)) */
static PyObject *
kinds_asked(const Detector *d, PyObject *requested)
{
    PyObject *kinds = d->f[F_CREDENTIAL_KINDS], *named = PyList_New(0);
    for (Py_ssize_t k = 0; named != NULL && k < PyTuple_GET_SIZE(kinds); k++) {
        int found = 0;
        for (Py_ssize_t i = 0; found == 0 && i < PyList_GET_SIZE(requested); i++) {
            PyObject *kind = entry_field(d, PyList_GET_ITEM(requested, i), 2);
            found = kind == NULL ? -1 : PyObject_RichCompareBool(kind, PyTuple_GET_ITEM(kinds, k), Py_EQ);
            Py_XDECREF(kind);
        }
        if (found < 0 || (found && PyList_Append(named, PyTuple_GET_ITEM(kinds, k)) < 0)) {
            Py_CLEAR(named);
        }
    }
    PyObject *joined = named == NULL ? NULL : PyUnicode_Join(cr_str[S_COMMA], named);
    Py_XDECREF(named);
    return joined;
}

/* _requests_and_warnings: the credentials asked for, the codes delivered and the warnings, into signals */
static int
requests_and_warnings(const Detector *d, PyObject *text, PyObject *t, PyObject *g, PyObject *credentials,
                      PyObject *signals)
{
    PyObject *cues = PyList_New(0), *asks = PyList_New(0), *denied = PyList_New(0), *live = NULL;
    PyObject *denials = NULL, *requested = PyList_New(0), *warned = PyList_New(0), *sorted = NULL;
    PyObject *value = NULL, *code_hits = PyList_New(0), *code_spans = PyList_New(0);
    int rc = -1;
    if (cues == NULL || asks == NULL || denied == NULL || requested == NULL || warned == NULL || code_hits == NULL
        || code_spans == NULL || extend_from(cues, g, cr_str[S_ASK]) < 0 || extend_from(cues, g, cr_str[S_DISCLOSE]) < 0) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(cues); i++) {
        PyObject *cue = PyList_GET_ITEM(cues, i), *end = NULL, *kind = NULL;
        int deny = is_negated(d, t, cue);
        if (deny == 0) {
            /* 请勿告诉, 提供给他人将导致被盗: about keeping it, not a request */
            deny = (end = hit_field(d, cue, 2)) == NULL ? -1 : dt_call_test(d->f[F_OTHERS], t, end, NULL, NULL);
        }
        int ask = deny != 0 ? 0 : (kind = entry_field(d, cue, 2)) == NULL ? -1
                                                                          : PyObject_RichCompareBool(kind, cr_str[S_ASK], Py_EQ);
        Py_XDECREF(end);
        Py_XDECREF(kind);
        if (deny < 0 || ask < 0 || (deny && PyList_Append(denied, cue) < 0) || (ask && PyList_Append(asks, cue) < 0)) {
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(credentials); i++) {
        PyObject *h = PyList_GET_ITEM(credentials, i), *attrs = NULL;
        int live_asked = -2;  /* not asked yet: _asked is pure, so one answer serves both tests */
        int warn = is_negated(d, t, h);
        if (warn == 0 && (warn = asked(d, t, h, denied, &denials)) > 0) {
            live_asked = asked(d, t, h, asks, &live);
            warn = live_asked < 0 ? -1 : !live_asked;
        }
        int request = 0;
        if (warn == 0) {
            request = (attrs = entry_field(d, h, 3)) == NULL ? -1 : PySequence_Contains(attrs, cr_str[S_STRONG]);
            if (request == 0) {
                request = live_asked != -2 ? live_asked : asked(d, t, h, asks, &live);
            }
        }
        Py_XDECREF(attrs);
        if (warn < 0 || request < 0 || (warn && PyList_Append(warned, h) < 0)
            || (request && PyList_Append(requested, h) < 0)) {
            goto done;
        }
    }
    Py_ssize_t n = PyList_GET_SIZE(warned);
    if (PyList_SetSlice(warned, n, n, denied) < 0) {
        goto done;
    }
    if (PyList_GET_SIZE(requested) > 0
        && ((value = kinds_asked(d, requested)) == NULL || (sorted = sorted_by_start(d, requested)) == NULL
            || append_signal(d, signals, cr_str[S_SIG_REQUEST], text, sorted, cr_kw_value, value) < 0)) {
        goto done;
    }
    Py_CLEAR(sorted);
    if (codes_of(d, t, g, code_hits, code_spans) < 0
        || (PyList_GET_SIZE(code_hits) > 0
            && append_signal(d, signals, cr_str[S_SIG_OTP], text, code_hits, cr_kw_nspans, code_spans) < 0)) {
        goto done;
    }
    if (PyList_GET_SIZE(warned) > 0
        && ((sorted = sorted_by_start(d, warned)) == NULL
            || append_signal(d, signals, cr_str[S_SIG_WARNING], text, sorted, NULL, NULL) < 0)) {
        goto done;
    }
    rc = 0;
done:
    Py_XDECREF(cues);
    Py_XDECREF(asks);
    Py_XDECREF(denied);
    Py_XDECREF(live);
    Py_XDECREF(denials);
    Py_XDECREF(requested);
    Py_XDECREF(warned);
    Py_XDECREF(sorted);
    Py_XDECREF(value);
    Py_XDECREF(code_hits);
    Py_XDECREF(code_spans);
    return rc;
}

/* [h for h in hits if not negated(t, h.start, h.end)] (and, with apps, _app_follows(t, h, apps)) */
static PyObject *
live_hits(const Detector *d, PyObject *t, PyObject *hits, PyObject *apps)
{
    PyObject *seq = dt_as_sequence(hits), *live = seq == NULL ? NULL : PyList_New(0);
    for (Py_ssize_t i = 0; live != NULL && i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *h = Py_NewRef(PySequence_Fast_GET_ITEM(seq, i));
        int keep = is_negated(d, t, h);
        keep = keep < 0 ? -1 : !keep;
        if (keep > 0 && apps != NULL) {
            keep = dt_call_test(d->f[F_APP_FOLLOWS], t, h, apps, NULL);
        }
        if (keep < 0 || (keep && PyList_Append(live, h) < 0)) {
            Py_CLEAR(live);
        }
        Py_DECREF(h);
    }
    Py_XDECREF(seq);
    return live;
}

/* The reference's steps after its early return: found holds a credential, screen, face or download term. */
static PyObject *
signals_of(const Detector *d, PyObject *text, PyObject *t, PyObject *found)
{
    PyObject *resolved = PyObject_CallOneArg(d->f[F_RESOLVE_OVERLAPS], found), *g = NULL, *signals = NULL;
    PyObject *credentials = PyList_New(0), *hits = NULL, *live = NULL, *apps_hits = NULL, *apps = NULL;
    if (resolved == NULL || credentials == NULL || (g = PyObject_CallOneArg(d->f[F_BY_KIND], resolved)) == NULL
        || (signals = PyList_New(0)) == NULL) {
        goto error;
    }
    PyObject *kinds = d->f[F_CREDENTIAL_KINDS];
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kinds); k++) {
        if (extend_from(credentials, g, PyTuple_GET_ITEM(kinds, k)) < 0) {
            goto error;
        }
    }
    if (PyList_GET_SIZE(credentials) > 0 && requests_and_warnings(d, text, t, g, credentials, signals) < 0) {
        goto error;
    }
    PyObject *pairs = d->f[F_UNLESS_NEGATED];
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(pairs); k++) {
        PyObject *kind = PyTuple_GET_ITEM(PyTuple_GET_ITEM(pairs, k), 0);
        PyObject *name = PyTuple_GET_ITEM(PyTuple_GET_ITEM(pairs, k), 1);
        int in = PySequence_Contains(g, kind);
        if (in < 0 || (in && ((hits = PyObject_GetItem(g, kind)) == NULL || (live = live_hits(d, t, hits, NULL)) == NULL
                              || (PyList_GET_SIZE(live) > 0 && append_signal(d, signals, name, text, live, NULL, NULL) < 0)))) {
            goto error;
        }
        Py_CLEAR(hits);
        Py_CLEAR(live);
    }
    int in = PySequence_Contains(g, cr_str[S_DOWNLOAD]);
    if (in < 0) {
        goto error;
    }
    if (in) {
        if ((apps_hits = group_get(g, cr_str[S_APP])) == NULL
            || (apps = PyObject_CallOneArg(d->f[F_HIT_INDEX], apps_hits)) == NULL
            || (hits = PyObject_GetItem(g, cr_str[S_DOWNLOAD])) == NULL || (live = live_hits(d, t, hits, apps)) == NULL
            || (PyList_GET_SIZE(live) > 0
                && append_signal(d, signals, cr_str[S_SIG_DOWNLOAD], text, live, NULL, NULL) < 0)) {
            goto error;
        }
    }
    goto done;
error:
    Py_CLEAR(signals);
done:
    Py_XDECREF(resolved);
    Py_XDECREF(g);
    Py_XDECREF(credentials);
    Py_XDECREF(hits);
    Py_XDECREF(live);
    Py_XDECREF(apps_hits);
    Py_XDECREF(apps);
    return signals;
}

PyObject *
cr_detect(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    const Detector *d = (const Detector *)self;
    if (PyVectorcall_NARGS(nargsf) != 3 || kwnames != NULL) {
        return PyObject_Vectorcall(d->f[F_REFERENCE], args, nargsf, kwnames);
    }
    PyObject *t, *found, *read = dt_read(d->f[F_READ], args[1], &t, &found);
    if (read == NULL) {
        return NULL;
    }
    int plain = t != NULL, signalling = 0;
    /* every hit is read before any is used: a set look-up of an exact str runs no Python code */
    for (Py_ssize_t i = 0; plain && i < PyList_GET_SIZE(found); i++) {
        PyObject *entry = plain_entry(d, PyList_GET_ITEM(found, i));
        PyObject *kind = entry == NULL ? NULL : PyTuple_GET_ITEM(entry, 2);
        plain = kind != NULL && PyUnicode_CheckExact(kind);
        int in = plain && !signalling ? PySet_Contains(d->f[F_SIGNALLING_KINDS], kind) : 0;
        if (in < 0) {
            Py_DECREF(read);
            return NULL;
        }
        signalling |= in;
    }
    PyObject *result;
    if (!plain) {
        result = PyObject_Vectorcall(d->f[F_REFERENCE], args, nargsf, kwnames);
    }
    else if (!signalling) {
        result = PyList_New(0);  /* asks, disclosures and app names only count next to a credential or download */
    }
    else {
        result = signals_of(d, args[1], t, found);
    }
    Py_DECREF(read);
    return result;
}
