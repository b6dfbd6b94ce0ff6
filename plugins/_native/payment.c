/* smsguard_plugins._cpayment: the body of the payment-demand detector (plugins/payment.py) in C.
 *
 * bind() takes the reference (detect_reference), the term set's read, the shared helpers of _cues and _evidence
 * and the module's tables, and returns a Detector: a callable with the reference's signature and results. The
 * steps are those of the reference, in its order; every shared step (negation, grouping, the reader context,
 * HitIndex and the cues, building signals, the card pattern) is a call of the object bound. What the C adds is
 * the loop around them and two tests that skip a call whose answer is known:
 *   - a match of the card pattern is a run of card_min_digits decimal digits (\d: Py_UNICODE_ISDECIMAL) or more,
 *     with at most one of card_separators between two of them: a text without one holds no card;
 *   - cue_before (cue_after) is false unless a cue ends (starts) in the window before (after) the transfer word,
 *     the range HitIndex.ending_in (starting_in) looks in: without one, neither the index nor the cue is made.
 * A read that is not (str, list of plain TermHits), or a call of another shape, goes to the reference before
 * anything else is done.
 */
#include "detector.h"

enum {
    F_REFERENCE, F_READ, F_TERM_HIT, F_ENTRY, F_CARDS, F_CARD_MIN_DIGITS, F_CARD_SEPARATORS, F_NEGATED, F_BY_KIND, F_MAKE_SIGNAL,
    F_CONTEXT_OF, F_HIT_INDEX, F_CUE_BEFORE, F_CUE_AFTER, F_NEVER_NEGATED, F_ACCOUNT_KINDS, F_PERSONAL_KINDS,
    F_CUE_WINDOW, F_TARGET_WINDOW, N_FIELDS
};
static const char *const FIELD_NAMES[N_FIELDS] = {
    "reference", "read", "term_hit", "entry", "cards", "card_min_digits", "card_separators", "negated", "by_kind", "make_signal",
    "context_of", "hit_index", "cue_before", "cue_after", "never_negated", "account_kinds", "personal_kinds",
    "cue_window", "target_window",
};

enum {
    S_TRANSFER, S_MONEY, S_SAFE_ACCOUNT, S_FEE, S_DESIGNATED_ACCOUNT, S_QR, S_PAYOUT, S_DEMAND, S_STRONG,
    S_SIG_TRANSFER, S_SIG_SAFE, S_SIG_DESIGNATED, S_SIG_PERSONAL,
    S_SIG_QR, S_SIG_FEE, N_STRINGS
};
static const char *const STRINGS[N_STRINGS] = {
    "transfer", "money", "safe_account", "fee", "designated_account", "qr", "payout", "demand", "strong",
    "payment.transfer_demand", "payment.safe_account",
    "payment.designated_account", "payment.personal_account", "payment.qr_code", "payment.upfront_fee",
};
static PyObject *S[N_STRINGS];
static PyObject *empty_tuple;

enum { N_CARD_MIN_DIGITS, N_CUE_WINDOW, N_TARGET_WINDOW, N_NUMBERS };

typedef struct {
    dt_head head;
    PyObject *f[N_FIELDS];
    Py_ssize_t n[N_NUMBERS];    /* card_min_digits, cue_window, target_window */
} Detector;

/* ---- reading hits and calling the bound helpers (detector.h) ---- */

#define HIT_TYPES(d) (PyTypeObject *)(d)->f[F_TERM_HIT], (PyTypeObject *)(d)->f[F_ENTRY]
#define plain_entry(d, h) dt_plain_entry(HIT_TYPES(d), (h))
#define plain_span(d, h, start, end) dt_plain_span(HIT_TYPES(d), (h), (start), (end))

/* signals.append(make_signal(name, text, hits)) */
static int
append_signal(const Detector *d, PyObject *signals, PyObject *name, PyObject *text, PyObject *hits)
{
    PyObject *args[3] = {name, text, hits};
    return dt_append_call(signals, d->f[F_MAKE_SIGNAL], args, 3, NULL);
}

/* ---- the detector ---- */

/* Whether one of cues (a list or tuple) ends in [h.start - within, h.start] (after: starts in [h.end, h.end +
 * within]): what HitIndex.ending_in (starting_in) looks for, so without one cue_before (cue_after) is false.
 * 1 when a hit is not plain: the cue helper then decides. */
static int
may_be_near(const Detector *d, PyObject *cues, PyObject *h, Py_ssize_t within, int after)
{
    Py_ssize_t start, end, cue_start, cue_end;
    if (!plain_span(d, h, &start, &end)) {
        return 1;
    }
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(cues); i++) {
        if (!plain_span(d, PySequence_Fast_GET_ITEM(cues, i), &cue_start, &cue_end)) {
            return 1;
        }
        if (after ? end <= cue_start && cue_start <= end + within : start - within <= cue_end && cue_end <= start) {
            return 1;
        }
    }
    return 0;
}

/* truth of cue(t, HitIndex(hits), h, window), the index made at its first use into *index */
static int
cue_test(const Detector *d, int cue, PyObject *t, PyObject *hits, PyObject **index, PyObject *h)
{
    if (*index == NULL && (*index = PyObject_CallOneArg(d->f[F_HIT_INDEX], hits)) == NULL) {
        return -1;
    }
    return dt_call_test(d->f[cue], t, *index, h, d->f[cue == F_CUE_BEFORE ? F_CUE_WINDOW : F_TARGET_WINDOW]);
}

/* The transfer words asked for: a demand cue before them or an account after them. The reference makes both
 * indexes first; they are made here only when a transfer has a cue in its window. */
static int
demands_of(const Detector *d, PyObject *text, PyObject *t, PyObject *g, PyObject *transfers, PyObject *demands)
{
    PyObject *context = PyObject_CallOneArg(d->f[F_CONTEXT_OF], text), *cue_hits = NULL, *cue_seq = NULL;
    PyObject *cues = NULL, *target_hits = PyList_New(0), *targets = NULL, *seq = NULL;
    int rc = -1;
    if (context == NULL || target_hits == NULL
        || (cue_hits = dt_get(context, S[S_DEMAND], empty_tuple)) == NULL
        || (cue_seq = dt_as_sequence(cue_hits)) == NULL) {
        goto done;
    }
    PyObject *kinds = d->f[F_ACCOUNT_KINDS];
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kinds); k++) {
        if (dt_extend_from(target_hits, g, PyTuple_GET_ITEM(kinds, k), empty_tuple) < 0) {
            goto done;
        }
    }
    if ((seq = dt_as_sequence(transfers)) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *h = Py_NewRef(PySequence_Fast_GET_ITEM(seq, i));
        int asked = 0;
        if (may_be_near(d, cue_seq, h, d->n[N_CUE_WINDOW], 0)) {
            asked = cue_test(d, F_CUE_BEFORE, t, cue_hits, &cues, h);
        }
        if (asked == 0 && may_be_near(d, target_hits, h, d->n[N_TARGET_WINDOW], 1)) {
            asked = cue_test(d, F_CUE_AFTER, t, target_hits, &targets, h);
        }
        if (asked > 0) {
            asked = PyList_Append(demands, h) < 0 ? -1 : 1;
        }
        Py_DECREF(h);
        if (asked < 0) {
            goto done;
        }
    }
    rc = 0;
done:
    Py_XDECREF(context);
    Py_XDECREF(cue_hits);
    Py_XDECREF(cue_seq);
    Py_XDECREF(cues);
    Py_XDECREF(target_hits);
    Py_XDECREF(targets);
    Py_XDECREF(seq);
    return rc;
}

/* any("strong" in h.entry.attrs for h in fees) */
static int
any_strong(const Detector *d, PyObject *fees)
{
    PyObject *seq = dt_as_sequence(fees);
    if (seq == NULL) {
        return -1;
    }
    int found = 0;
    for (Py_ssize_t i = 0; found == 0 && i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *h = Py_NewRef(PySequence_Fast_GET_ITEM(seq, i)), *attrs = dt_entry_field(HIT_TYPES(d), h, 3);
        found = attrs == NULL ? -1 : PySequence_Contains(attrs, S[S_STRONG]);
        Py_XDECREF(attrs);
        Py_DECREF(h);
    }
    Py_DECREF(seq);
    return found;
}

/* Whether t holds a run of `digits` decimal digits (\d), each but the first after at most one of the separators:
 * what a match of the card pattern holds. */
static int
has_card_run(const Detector *d, PyObject *t)
{
    int kind = PyUnicode_KIND(t), sep_kind = PyUnicode_KIND(d->f[F_CARD_SEPARATORS]), pending = 0;
    const void *data = PyUnicode_DATA(t), *seps = PyUnicode_DATA(d->f[F_CARD_SEPARATORS]);
    Py_ssize_t n = PyUnicode_GET_LENGTH(t), n_seps = PyUnicode_GET_LENGTH(d->f[F_CARD_SEPARATORS]), run = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISDECIMAL(c)) {
            if (++run >= d->n[N_CARD_MIN_DIGITS]) {
                return 1;
            }
            pending = 0;
            continue;
        }
        Py_ssize_t j = 0;
        while (j < n_seps && PyUnicode_READ(sep_kind, seps, j) != c) {
            j++;
        }
        if (j < n_seps && run > 0 && !pending) {
            pending = 1;   /* the run goes on if a digit follows */
        }
        else {
            run = pending = 0;
        }
    }
    return 0;
}

/* The reference's steps after its early returns: found holds a transfer, money, safe-account or fee word. */
static PyObject *
signals_of(const Detector *d, PyObject *text, PyObject *t, PyObject *found, int money_words)
{
    PyObject *cards = NULL, *asserted = PyList_New(0), *g = NULL, *transfers = NULL, *signals = NULL;
    PyObject *demands = NULL, *v = NULL, *personal = NULL, *fees = NULL;
    if (asserted == NULL) {
        return NULL;
    }
    if (money_words && has_card_run(d, t)
        && (cards = PyObject_CallOneArg(d->f[F_CARDS], t)) == NULL) {
        goto error;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(found); i++) {
        PyObject *h = Py_NewRef(PyList_GET_ITEM(found, i)), *kind = dt_entry_field(HIT_TYPES(d), h, 2);
        int keep = kind == NULL ? -1 : PySet_Contains(d->f[F_NEVER_NEGATED], kind);
        Py_XDECREF(kind);
        if (keep == 0) {
            keep = dt_hit_negated(d->f[F_NEGATED], HIT_TYPES(d), t, h);
            keep = keep < 0 ? -1 : !keep;
        }
        if (keep > 0) {
            keep = PyList_Append(asserted, h) < 0 ? -1 : 1;
        }
        Py_DECREF(h);
        if (keep < 0) {
            goto error;
        }
    }
    if (cards != NULL) {
        PyObject *seq = dt_as_sequence(cards);
        Py_ssize_t n = seq == NULL ? -1 : PyList_GET_SIZE(asserted);
        int rc = seq == NULL ? -1 : PyList_SetSlice(asserted, n, n, seq);
        Py_XDECREF(seq);
        if (rc < 0) {
            goto error;
        }
    }
    if ((g = PyObject_CallOneArg(d->f[F_BY_KIND], asserted)) == NULL
        || (transfers = dt_get(g, S[S_TRANSFER], empty_tuple)) == NULL || (signals = PyList_New(0)) == NULL) {
        goto error;
    }
    int any_transfer = PyObject_IsTrue(transfers), money = any_transfer;
    if (money == 0) {
        if ((v = dt_get(g, S[S_MONEY], Py_None)) == NULL || (money = PyObject_IsTrue(v)) < 0) {
            goto error;
        }
        Py_CLEAR(v);
    }
    if (any_transfer < 0 || money < 0) {
        goto error;
    }
    if (any_transfer) {
        if ((demands = PyList_New(0)) == NULL || demands_of(d, text, t, g, transfers, demands) < 0
            || (PyList_GET_SIZE(demands) > 0 && append_signal(d, signals, S[S_SIG_TRANSFER], text, demands) < 0)) {
            goto error;
        }
    }
    /* safe accounts, then designated ones, with money words only */
    static const int ACCOUNTS[2][3] = {{S_SAFE_ACCOUNT, S_SIG_SAFE, 0}, {S_DESIGNATED_ACCOUNT, S_SIG_DESIGNATED, 1}};
    for (int a = 0; a < 2; a++) {
        if (ACCOUNTS[a][2] && !money) {
            continue;
        }
        int truth = (v = dt_get(g, S[ACCOUNTS[a][0]], Py_None)) == NULL ? -1 : PyObject_IsTrue(v);
        if (truth < 0 || (truth && append_signal(d, signals, S[ACCOUNTS[a][1]], text, v) < 0)) {
            goto error;
        }
        Py_CLEAR(v);
    }
    if ((personal = PyList_New(0)) == NULL) {
        goto error;
    }
    PyObject *kinds = d->f[F_PERSONAL_KINDS];
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kinds); k++) {
        if (dt_extend_from(personal, g, PyTuple_GET_ITEM(kinds, k), empty_tuple) < 0) {
            goto error;
        }
    }
    if (money && PyList_GET_SIZE(personal) > 0 && append_signal(d, signals, S[S_SIG_PERSONAL], text, personal) < 0) {
        goto error;
    }
    if (money) {
        int truth = (v = dt_get(g, S[S_QR], Py_None)) == NULL ? -1 : PyObject_IsTrue(v);
        if (truth < 0 || (truth && append_signal(d, signals, S[S_SIG_QR], text, v) < 0)) {
            goto error;
        }
        Py_CLEAR(v);
    }
    int truth = (fees = dt_get(g, S[S_FEE], empty_tuple)) == NULL ? -1 : PyObject_IsTrue(fees);
    if (truth > 0) {
        truth = (v = dt_get(g, S[S_PAYOUT], Py_None)) == NULL ? -1 : PyObject_IsTrue(v);
        if (truth == 0) {
            truth = any_strong(d, fees);
        }
        if (truth > 0) {
            truth = append_signal(d, signals, S[S_SIG_FEE], text, fees) < 0 ? -1 : 1;
        }
    }
    if (truth < 0) {
        goto error;
    }
    goto done;
error:
    Py_CLEAR(signals);
done:
    Py_XDECREF(cards);
    Py_XDECREF(asserted);
    Py_XDECREF(g);
    Py_XDECREF(transfers);
    Py_XDECREF(demands);
    Py_XDECREF(v);
    Py_XDECREF(personal);
    Py_XDECREF(fees);
    return signals;
}

static PyObject *
detector_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    const Detector *d = (const Detector *)self;
    if (PyVectorcall_NARGS(nargsf) != 3 || kwnames != NULL) {
        return PyObject_Vectorcall(d->f[F_REFERENCE], args, nargsf, kwnames);
    }
    PyObject *t, *found, *read = dt_read(d->f[F_READ], args[1], &t, &found);
    if (read == NULL) {
        return NULL;
    }
    int plain = t != NULL;
    int transfer = 0, money = 0, safe = 0, fee = 0;
    /* the kinds found; nothing here can run Python code, so the list stays as it is */
    for (Py_ssize_t i = 0; plain && i < PyList_GET_SIZE(found); i++) {
        PyObject *entry = plain_entry(d, PyList_GET_ITEM(found, i));
        PyObject *kind = entry == NULL ? NULL : PyTuple_GET_ITEM(entry, 2);
        if (kind == NULL || !PyUnicode_CheckExact(kind)) {
            plain = 0;
            break;
        }
        transfer = transfer || sg_same_str(kind, S[S_TRANSFER]);
        money = money || sg_same_str(kind, S[S_MONEY]);
        safe = safe || sg_same_str(kind, S[S_SAFE_ACCOUNT]);
        fee = fee || sg_same_str(kind, S[S_FEE]);
    }
    PyObject *result;
    if (!plain) {
        result = PyObject_Vectorcall(d->f[F_REFERENCE], args, nargsf, kwnames);
    }
    else if (!transfer && !money && !safe && !fee) {
        result = PyList_New(0);  /* no hits at all, or none that any signal needs */
    }
    else {
        result = signals_of(d, args[1], t, found, transfer || money);
    }
    Py_DECREF(read);
    return result;
}

/* ---- the Detector and bind() ---- */

static PyTypeObject *detector_type;

static PyObject *
payment_bind(PyObject *module, PyObject *args, PyObject *kwargs)
{
    Detector *d = DT_NEW(Detector, detector_type, detector_call, f, N_FIELDS);
    if (d == NULL || dt_keywords(args, kwargs, FIELD_NAMES, N_FIELDS, d->f) < 0
        || dt_check_hit_classes(d->f[F_TERM_HIT], d->f[F_ENTRY]) < 0) {
        goto error;
    }
    if (!PyFrozenSet_CheckExact(d->f[F_NEVER_NEGATED])) {
        PyErr_SetString(PyExc_TypeError, "bind: never_negated must be a frozenset");
        goto error;
    }
    if (!dt_str_tuple(d->f[F_ACCOUNT_KINDS], 0) || !dt_str_tuple(d->f[F_PERSONAL_KINDS], 0)) {
        PyErr_SetString(PyExc_TypeError, "bind: account_kinds and personal_kinds must be tuples of str");
        goto error;
    }
    if (!PyUnicode_CheckExact(d->f[F_CARD_SEPARATORS])) {
        PyErr_SetString(PyExc_TypeError, "bind: card_separators must be a str");
        goto error;
    }
    static const char *const NUMBER_NAMES[N_NUMBERS] = {"card_min_digits", "cue_window", "target_window"};
    PyObject *numbers[N_NUMBERS] = {d->f[F_CARD_MIN_DIGITS], d->f[F_CUE_WINDOW], d->f[F_TARGET_WINDOW]};
    if (dt_small_ints(numbers, NUMBER_NAMES, N_NUMBERS, d->n) < 0) {
        goto error;
    }
    return (PyObject *)d;
error:
    Py_XDECREF(d);
    return NULL;
}

static PyMethodDef payment_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))payment_bind, METH_VARARGS | METH_KEYWORDS,
     "bind(*, reference, read, term_hit, entry, cards, card_min_digits, card_separators, negated, by_kind, "
     "make_signal, context_of, hit_index, cue_before, cue_after, never_negated, account_kinds, personal_kinds, "
     "cue_window, target_window)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef payment_module = {
    PyModuleDef_HEAD_INIT, "smsguard_plugins._cpayment",
    "The payment detector's body in C (see plugins/payment.py, whose detect_reference it reproduces).", -1,
    payment_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__cpayment(void)
{
    if (dt_intern(STRINGS, N_STRINGS, S) < 0 || (empty_tuple == NULL && (empty_tuple = PyTuple_New(0)) == NULL)
        || (detector_type = dt_new_type("smsguard_plugins._cpayment.Detector",
                                        "The payment detector's body: detector(message, text, features) -> "
                                        "list[Signal].",
                                        sizeof(Detector), NULL)) == NULL) {
        return NULL;
    }
    return dt_module(&payment_module, detector_type);
}
