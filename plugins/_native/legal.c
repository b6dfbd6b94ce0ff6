/* The legal detector's body in C (smsguard_plugins._clegal): plugins/legal.py's detect_reference, step for step.
 *
 * bind(...) takes the detector's tables, patterns and shared helpers by name, once, and returns a Detector: a
 * callable (message, text, features) -> list[Signal]. The shared steps (the term read, resolve_overlaps, inside,
 * the cues, make_signal ...) and the regular expressions are called through the objects handed over, so they
 * stay single; the C does the rest: the pre-checks, the filtering and grouping of hits and the court marks.
 *
 * Inputs other than an exact NormalizedText and Features with exact records, and term reads holding other than
 * plain TermHits, go to the Python reference untouched (the read is the message's cached one, the same for both).
 */
#include "legal.h"

static const char *const OBJECT_NAMES[N_OBJECTS] = {
    "reference", "read", "normalized_text", "features", "text_feature", "link", "term_hit", "entry",
    "threats", "threat_signals", "freeze", "freeze_entry", "order", "posing",
    "court_host", "court_tail", "court_tail_window", "court_signature",
    "resolve_overlaps", "inside", "impersonated", "context_of", "reader_directed", "by_kind",
    "make_signal", "span_signal", "phrases", "occurrences",
};
/* the classes, in the order of their enum */
static const int CLASSES[] = {O_NTEXT, O_FEATURES, O_TEXT_FEATURE, O_LINK, O_HIT, O_ENTRY};

static const struct {
    int cls;
    const char *name;
} SLOTS[N_SLOTS] = {
    {O_NTEXT, "text"}, {O_FEATURES, "links"}, {O_FEATURES, "signatures"}, {O_FEATURES, "case_numbers"},
    {O_TEXT_FEATURE, "value"}, {O_TEXT_FEATURE, "nspan"}, {O_LINK, "host"}, {O_LINK, "nspan"},
};
static const char *const WORD_TEXT[N_WORDS] = {
    "冻结", "法院", "人民法院", "scare", "credit_record", "court_channel", "legal.scare_only", "legal.term_count",
    "legal.case_number", "legal.court_channel", "legal.court_signature", "search", "finditer", "span", "group",
    "sort", "、",
};
PyObject *lg_words[N_WORDS];
PyObject *lg_kw_value, *lg_kw_key, *lg_kw_marks, *lg_one, *lg_empty_tuple;

#define HIT_TYPES(d) (PyTypeObject *)(d)->o[O_HIT], (PyTypeObject *)(d)->o[O_ENTRY]
#define plain_hit(d, h) dt_plain_str_hit(HIT_TYPES(d), (h))
#define hit_tuple(d, seq) dt_hit_tuple(HIT_TYPES(d), (seq))

/* d's object ``which`` called with a (and b unless NULL) */
PyObject *
lg_call(const Detector *d, int which, PyObject *a, PyObject *b)
{
    PyObject *args[2] = {a, b};
    return PyObject_Vectorcall(d->o[which], args, b == NULL ? 1 : 2, NULL);
}

/* pattern.search(text[, pos]) is not None: 1, 0, or -1 with an exception set; the match in *match if asked */
int
lg_search(PyObject *pattern, PyObject *text, PyObject *pos, PyObject **match)
{
    PyObject *args[3] = {pattern, text, pos};
    PyObject *m = PyObject_VectorcallMethod(lg_words[W_SEARCH], args, pos == NULL ? 2 : 3, NULL);
    if (m == NULL) {
        return -1;
    }
    int found = m != Py_None;
    if (match != NULL && found) {
        *match = m;
    }
    else {
        Py_DECREF(m);
    }
    return found;
}

/* list.append(item) for a new reference item, or NULL */
int
lg_append_new(PyObject *list, PyObject *item)
{
    int r = item == NULL ? -1 : PyList_Append(list, item);
    Py_XDECREF(item);
    return r;
}

/* text and features as the host passes them: exact classes, every record exact, the strs read exact */
static int
plain_inputs(const Detector *d, PyObject *text, PyObject *features)
{
    if (Py_TYPE(text) != (PyTypeObject *)d->o[O_NTEXT] || Py_TYPE(features) != (PyTypeObject *)d->o[O_FEATURES]) {
        return 0;
    }
    PyObject *t = SLOT(text, d, S_TEXT);
    if (t == NULL || !PyUnicode_CheckExact(t)) {
        return 0;
    }
    for (int s = S_LINKS; s <= S_CASE_NUMBERS; s++) {
        PyObject *records = SLOT(features, d, s);
        if (records == NULL || !PyTuple_CheckExact(records)) {
            return 0;
        }
        int link = s == S_LINKS;
        PyTypeObject *type = (PyTypeObject *)d->o[link ? O_LINK : O_TEXT_FEATURE];
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(records); i++) {
            PyObject *r = PyTuple_GET_ITEM(records, i);
            if (Py_TYPE(r) != type) {
                return 0;
            }
            PyObject *value = SLOT(r, d, link ? S_HOST : S_VALUE), *nspan = SLOT(r, d, link ? S_LINK_NSPAN : S_NSPAN);
            if (value == NULL || nspan == NULL || !PyUnicode_CheckExact(value)) {
                return 0;
            }
        }
    }
    return 1;
}

/* make_signal(name, text[, hits], **{kwnames: values}), appended to signals */
int
lg_add_signal(const Detector *d, PyObject *signals, PyObject *name, PyObject *text, PyObject *hits,
           PyObject *kwnames, PyObject *const *values)
{
    PyObject *args[6] = {name, text, hits};
    Py_ssize_t nargs = hits == NULL ? 2 : 3, nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t i = 0; i < nkw; i++) {
        args[nargs + i] = values[i];
    }
    return lg_append_new(signals, PyObject_Vectorcall(d->o[O_MAKE_SIGNAL], args, nargs, kwnames));
}

int
lg_add_span_signal(const Detector *d, PyObject *signals, PyObject *name, PyObject *text, PyObject *nspan,
                PyObject *value)
{
    PyObject *args[5] = {name, text, nspan, value, value};
    return lg_append_new(signals, PyObject_Vectorcall(d->o[O_SPAN_SIGNAL], args, 5, NULL));
}

/* make_signal(threat_signals[kind], text, hits), appended to signals */
static int
add_threat_signal(const Detector *d, PyObject *signals, PyObject *text, PyObject *kind, PyObject *hits)
{
    PyObject *name = PyDict_GetItemWithError(d->o[O_THREAT_SIGNALS], kind);
    if (name == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_SetObject(PyExc_KeyError, kind);
        }
        return -1;
    }
    return lg_add_signal(d, signals, name, text, hits, NULL, NULL);
}

/* for kind, hits in grouped.items(): add_threat_signal(...) */
static int
add_threat_signals(const Detector *d, PyObject *signals, PyObject *text, PyObject *grouped)
{
    if (PyDict_CheckExact(grouped)) {
        /* by_kind's fresh dict, which nothing else holds; its items are held across the calls all the same */
        PyObject *kind, *hits;
        Py_ssize_t pos = 0;
        while (PyDict_Next(grouped, &pos, &kind, &hits)) {
            Py_INCREF(kind);
            Py_INCREF(hits);
            int r = add_threat_signal(d, signals, text, kind, hits);
            Py_DECREF(kind);
            Py_DECREF(hits);
            if (r < 0) {
                return -1;
            }
        }
        return 0;
    }
    PyObject *items = PyMapping_Items(grouped);
    if (items == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *kind, *hits;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(items, i), "OO:by_kind", &kind, &hits)
            || add_threat_signal(d, signals, text, kind, hits) < 0) {
            Py_DECREF(items);
            return -1;
        }
    }
    Py_DECREF(items);
    return 0;
}

/* The threat signals of a message directed at its reader: one per kind, the scare-only terms, the count. */
static int
threat_signals(const Detector *d, PyObject *signals, PyObject *text, PyObject *t, PyObject *threats)
{
    int ok = -1;
    PyObject *grouped = NULL, *scare = PyList_New(0), *counted = PyList_New(0), *value = NULL;
    PyObject *phrases = NULL;
    if (scare == NULL || counted == NULL || (grouped = lg_call(d, O_BY_KIND, threats, NULL)) == NULL
        || add_threat_signals(d, signals, text, grouped) < 0) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(threats); i++) {
        PyObject *h = PyList_GET_ITEM(threats, i);
        int r = PySequence_Contains(DT_ATTRS(h), lg_words[W_SCARE]);
        if (r < 0 || (r && PyList_Append(scare, h) < 0)) {
            goto done;
        }
    }
    if (PyList_GET_SIZE(scare) > 0) {
        if ((phrases = lg_call(d, O_PHRASES, t, scare)) == NULL
            || (value = PyUnicode_Join(lg_words[W_SEP], phrases)) == NULL
            || lg_add_signal(d, signals, lg_words[W_SCARE_ONLY], text, scare, lg_kw_value, &value) < 0) {
            goto done;
        }
        Py_CLEAR(value);
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(threats); i++) {
        PyObject *h = PyList_GET_ITEM(threats, i);
        if (!sg_same_str(DT_KIND(h), lg_words[W_CREDIT_RECORD]) && PyList_Append(counted, h) < 0) {
            goto done;
        }
    }
    if (PyList_GET_SIZE(counted) > 0) {
        if ((value = lg_call(d, O_OCCURRENCES, counted, NULL)) == NULL
            || lg_add_signal(d, signals, lg_words[W_TERM_COUNT], text, counted, lg_kw_value, &value) < 0) {
            goto done;
        }
    }
    ok = 0;
done:
    Py_XDECREF(grouped);
    Py_XDECREF(scare);
    Py_XDECREF(counted);
    Py_XDECREF(value);
    Py_XDECREF(phrases);
    return ok;
}

/* The index of the first character of t at or after i whose bit (c % 64) is set in bits, or n. */
#define SCAN_BITS(TYPE)                                         \
    do {                                                        \
        const TYPE *p = (const TYPE *)data;                     \
        while (i < n && !((bits >> (p[i] & 63)) & 1)) {        \
            i++;                                                \
        }                                                       \
    } while (0)

static Py_ssize_t
next_candidate(PyObject *t, Py_ssize_t i, uint64_t bits)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(t);
    const void *data = PyUnicode_DATA(t);
    switch (PyUnicode_KIND(t)) {
    case PyUnicode_1BYTE_KIND:
        SCAN_BITS(Py_UCS1);
        break;
    case PyUnicode_2BYTE_KIND:
        SCAN_BITS(Py_UCS2);
        break;
    default:
        SCAN_BITS(Py_UCS4);
        break;
    }
    return i;
}

/* Whether t holds one of the posing words (a tuple of non-empty exact strs, their first characters' bits in
 * d->posing_firsts): 1, 0, or -1 with an exception set. The text is scanned once for the words' first characters,
 * the words tried only there. */
static int
holds_a_word(const Detector *d, PyObject *t)
{
    PyObject *words = d->o[O_POSING_WORDS];
    Py_ssize_t n = PyUnicode_GET_LENGTH(t), count = PyTuple_GET_SIZE(words);
    uint64_t firsts = d->posing_firsts;
    for (Py_ssize_t i = next_candidate(t, 0, firsts); i < n; i = next_candidate(t, i + 1, firsts)) {
        Py_UCS4 c = PyUnicode_READ_CHAR(t, i);
        for (Py_ssize_t w = 0; w < count; w++) {
            PyObject *word = PyTuple_GET_ITEM(words, w);
            if (PyUnicode_READ_CHAR(word, 0) == c) {
                Py_ssize_t r = PyUnicode_Tailmatch(t, word, i, n, -1);
                if (r != 0) {
                    return r < 0 ? -1 : 1;
                }
            }
        }
    }
    return 0;
}

/* "冻结" in t: 1, 0, or -1 with an exception set */
static int
holds_freeze(PyObject *t)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(t);
    Py_UCS4 first = PyUnicode_READ_CHAR(lg_words[W_FREEZE], 0), second = PyUnicode_READ_CHAR(lg_words[W_FREEZE], 1);
    if (n < 2) {
        return 0;
    }
    for (Py_ssize_t i = 0;; i++) {
        /* a first character with one after it */
        i = PyUnicode_FindChar(t, first, i, n - 1, 1);
        if (i < 0) {
            return i == -1 ? 0 : -1;
        }
        if (PyUnicode_READ_CHAR(t, i + 1) == second) {
            return 1;
        }
    }
}

static PyObject *
detector_call(Detector *d, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 3 || kwnames != NULL || !plain_inputs(d, args[1], args[2])) {
        return PyObject_Vectorcall(d->o[O_REFERENCE], args, nargsf, kwnames);
    }
    PyObject *text = args[1], *features = args[2];
    PyObject *t, *hits;
    PyObject *read = dt_read(d->o[O_READ], text, &t, &hits);
    if (read == NULL) {
        return NULL;
    }
    PyObject *signals = NULL, *found = NULL, *threats = NULL, *channel = NULL;
    PyObject *signatures = NULL, *spans = NULL, *result = NULL;
    int freeze, posing = -1;    /* posing: whether POSING_WORD is in t, once asked */
    Py_ssize_t n_signatures;
    if (t == NULL) {
        goto reference;
    }
    Py_INCREF(t);
    Py_INCREF(hits);
    freeze = holds_freeze(t);
    if (freeze < 0) {
        goto done;
    }
    if (freeze) {
        Py_SETREF(hits, lg_with_freeze_hits(d, t, hits));
        if (hits == NULL) {
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(hits); i++) {
        if (!plain_hit(d, PyList_GET_ITEM(hits, i))) {
            goto reference;
        }
    }
    if ((signals = PyList_New(0)) == NULL) {
        goto done;
    }
    if (PyList_GET_SIZE(hits) == 0) {
        result = lg_court_marks(d, signals, text, features, lg_empty_tuple) < 0 ? NULL : Py_NewRef(signals);
        goto done;
    }
    if ((found = hit_tuple(d, lg_call(d, O_RESOLVE_OVERLAPS, hits, NULL))) == NULL || (threats = PyList_New(0)) == NULL
        || (channel = PyList_New(0)) == NULL) {
        goto done;
    }
    signatures = Py_NewRef(SLOT(features, d, S_SIGNATURES));
    n_signatures = PyTuple_GET_SIZE(signatures);
    if (n_signatures > 0) {
        if ((spans = PyList_New(n_signatures)) == NULL) {
            goto done;
        }
        for (Py_ssize_t i = 0; i < n_signatures; i++) {
            PyList_SET_ITEM(spans, i, Py_NewRef(SLOT(PyTuple_GET_ITEM(signatures, i), d, S_NSPAN)));
        }
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(found); i++) {
        PyObject *h = PyTuple_GET_ITEM(found, i), *kind = DT_KIND(h);
        if (sg_same_str(kind, lg_words[W_COURT_CHANNEL]) && PyList_Append(channel, h) < 0) {
            goto done;
        }
        int r = PyDict_Contains(d->o[O_THREATS], kind);
        if (r > 0 && spans != NULL) {
            PyObject *at = lg_call(d, O_INSIDE, h, spans);
            r = at == NULL ? -1 : at == Py_None;
            Py_XDECREF(at);
        }
        if (r > 0 && posing < 0
            && (posing = d->o[O_POSING_WORDS] != NULL ? holds_a_word(d, t)
                                                 : lg_search(d->o[O_POSING], t, NULL, NULL)) < 0) {
            r = -1;
        }
        if (r > 0 && posing > 0) {
            PyObject *posed = lg_call(d, O_IMPERSONATED, t, PyTuple_GET_ITEM(h, 1));
            r = posed == NULL ? -1 : PyObject_IsTrue(posed);
            Py_XDECREF(posed);
            r = r < 0 ? -1 : !r;
        }
        if (r < 0 || (r > 0 && PyList_Append(threats, h) < 0)) {
            goto done;
        }
    }
    if (PyList_GET_SIZE(threats) > 0) {
        PyObject *context = lg_call(d, O_CONTEXT_OF, text, NULL);
        PyObject *directed = context == NULL ? NULL : lg_call(d, O_READER_DIRECTED, context, NULL);
        int r = directed == NULL ? -1 : PyObject_IsTrue(directed);
        Py_XDECREF(context);
        Py_XDECREF(directed);
        if (r < 0 || (r > 0 && threat_signals(d, signals, text, t, threats) < 0)) {
            goto done;
        }
    }
    if (lg_court_marks(d, signals, text, features, channel) == 0) {
        result = Py_NewRef(signals);
    }
    goto done;
reference:
    result = PyObject_Vectorcall(d->o[O_REFERENCE], args, nargsf, kwnames);
done:
    Py_DECREF(read);
    Py_XDECREF(t);
    Py_XDECREF(hits);
    Py_XDECREF(signals);
    Py_XDECREF(found);
    Py_XDECREF(threats);
    Py_XDECREF(channel);
    Py_XDECREF(signatures);
    Py_XDECREF(spans);
    return result;
}

/* ---- the Detector and bind() ---- */

static PyTypeObject *detector_type;

/* The words of a compiled pattern that is an alternation of plain words with no flag but re.UNICODE
 * (冒充|假冒|谎称|伪装成), for which "pattern.search(t) is not None" is "t holds one of the words"; *out stays NULL
 * for any other pattern, which is searched. */
static int
plain_words(PyObject *pattern, PyObject **out)
{
    static const char METACHARACTERS[] = "\\.^$*+?{}[]()|#";
    int ok = -1;
    PyObject *re = PyImport_ImportModule("re"), *type = NULL, *unicode = NULL, *flags = NULL, *bar = NULL;
    PyObject *words = NULL;
    if (re == NULL || (type = PyObject_GetAttrString(re, "Pattern")) == NULL
        || (unicode = PyObject_GetAttrString(re, "UNICODE")) == NULL || (bar = PyUnicode_FromString("|")) == NULL) {
        goto done;
    }
    ok = 0;
    if ((PyObject *)Py_TYPE(pattern) != type) {
        goto done;
    }
    PyObject *source = NULL;
    int plain = (flags = PyObject_GetAttrString(pattern, "flags")) == NULL ? -1
                : PyObject_RichCompareBool(flags, unicode, Py_EQ);
    if (plain > 0 && (source = PyObject_GetAttrString(pattern, "pattern")) != NULL) {
        words = PyUnicode_CheckExact(source) ? PyUnicode_Split(source, bar, -1) : NULL;
        plain = words == NULL ? -!!PyErr_Occurred() : 1;
        Py_DECREF(source);
    }
    for (Py_ssize_t i = 0; plain > 0 && i < PyList_GET_SIZE(words); i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        plain = PyUnicode_GET_LENGTH(word) > 0;
        for (const char *m = METACHARACTERS; plain && *m; m++) {
            plain = PyUnicode_FindChar(word, (Py_UCS4)*m, 0, PyUnicode_GET_LENGTH(word), 1) == -1;
        }
    }
    if (plain < 0 || (plain > 0 && (*out = PyList_AsTuple(words)) == NULL)) {
        ok = -1;
    }
done:
    Py_XDECREF(re);
    Py_XDECREF(type);
    Py_XDECREF(unicode);
    Py_XDECREF(flags);
    Py_XDECREF(bar);
    Py_XDECREF(words);
    return ok;
}

static int
check_objects(Detector *d)
{
    for (size_t i = 0; i < sizeof(CLASSES) / sizeof(CLASSES[0]); i++) {
        if (!PyType_Check(d->o[CLASSES[i]])) {
            PyErr_Format(PyExc_TypeError, "bind: %s must be a class", OBJECT_NAMES[CLASSES[i]]);
            return -1;
        }
    }
    if (dt_check_hit_classes(d->o[O_HIT], d->o[O_ENTRY]) < 0) {
        return -1;
    }
    if (!PyDict_CheckExact(d->o[O_THREATS]) || !PyDict_CheckExact(d->o[O_THREAT_SIGNALS])) {
        PyErr_SetString(PyExc_TypeError, "bind: threats and threat_signals must be dicts");
        return -1;
    }
    d->tail_window = PyLong_AsSsize_t(d->o[O_COURT_TAIL_WINDOW]);
    if (d->tail_window < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "bind: court_tail_window must not be negative");
        }
        return -1;
    }
    /* plugins/legal.py's _COURT_TAIL; another pattern gets the reference's own pre-check, "法院" in the text */
    if ((d->tail_prechecked = dt_is_pattern(d->o[O_COURT_TAIL],
                                            "(?:\\A|[。!?\\s—-])([\\u4e00-\\u9fff]{2,16}人民法院)[\\s.。!]*\\Z")) < 0) {
        return -1;
    }
    for (int i = 0; i < N_SLOTS; i++) {
        if (dt_slot_offset(d->o[SLOTS[i].cls], SLOTS[i].name, &d->at[i]) < 0) {
            return -1;
        }
    }
    if (plain_words(d->o[O_POSING], &d->o[O_POSING_WORDS]) < 0) {
        return -1;
    }
    PyObject *words = d->o[O_POSING_WORDS];
    for (Py_ssize_t i = 0; words != NULL && i < PyTuple_GET_SIZE(words); i++) {
        d->posing_firsts |= (uint64_t)1 << (PyUnicode_READ_CHAR(PyTuple_GET_ITEM(words, i), 0) & 63);
    }
    return 0;
}

static PyObject *
legal_bind(PyObject *module, PyObject *args, PyObject *kwargs)
{
    Detector *d = DT_NEW(Detector, detector_type, (vectorcallfunc)detector_call, o, N_HELD);
    if (d != NULL && (dt_keywords(args, kwargs, OBJECT_NAMES, N_OBJECTS, d->o) < 0 || check_objects(d) < 0)) {
        Py_CLEAR(d);
    }
    return (PyObject *)d;
}

static PyMethodDef legal_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))legal_bind, METH_VARARGS | METH_KEYWORDS,
     "bind(*, reference, read, ...) -> Detector: the legal detector's body, with the objects it calls"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef legal_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._clegal",
    "The legal detector's body in C (see plugins/legal.py, whose detect_reference it follows).", -1,
    legal_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__clegal(void)
{
    static const PyMemberDef posing_words[] = {
        {"posing_words", T_OBJECT, offsetof(Detector, o[O_POSING_WORDS]), READONLY,
         "the words tested for the posing pattern, or None where it is searched"},
        {NULL, 0, 0, 0, NULL},
    };
    if (dt_intern(WORD_TEXT, N_WORDS, lg_words) < 0
        || (lg_kw_value = Py_BuildValue("(N)", PyUnicode_InternFromString("value"))) == NULL
        || (lg_kw_key = Py_BuildValue("(N)", PyUnicode_InternFromString("key"))) == NULL
        || (lg_kw_marks = Py_BuildValue("(NNN)", PyUnicode_InternFromString("nspans"),
                                        PyUnicode_InternFromString("value"),
                                        PyUnicode_InternFromString("detail"))) == NULL
        || (lg_one = PyLong_FromLong(1)) == NULL || (lg_empty_tuple = PyTuple_New(0)) == NULL
        || (detector_type = dt_new_type("smsguard_plugins._clegal.Detector",
                                        "The legal detector's body, bound by bind(): "
                                        "detector(message, text, features) -> list[Signal]",
                                        sizeof(Detector), posing_words)) == NULL) {
        return NULL;
    }
    return dt_module(&legal_module, detector_type);
}
