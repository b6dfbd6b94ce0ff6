/* smsguard_plugins._clegal, second part: the court marks of plugins/legal.py (_court_marks) and the hits of the
 * freeze pattern. See legal.c.
 */
#include "legal.h"

/* Whether the court tail pattern may match t: t, stripped of the characters of the pattern's trailing class
 * [\s.。!] (\s as re reads a str: Py_UNICODE_ISSPACE), must end with 人民法院, the end of the pattern's group.
 * This implies the reference's pre-check, "法院" in t. */
static int
may_end_with_a_court(PyObject *t)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(t);
    int kind = PyUnicode_KIND(t);
    const void *data = PyUnicode_DATA(t);
    for (; n > 0; n--) {
        Py_UCS4 c = PyUnicode_READ(kind, data, n - 1);
        if (c != '.' && c != 0x3002 /* 。 */ && c != '!' && !Py_UNICODE_ISSPACE(c)) {
            break;
        }
    }
    PyObject *court = lg_words[W_PEOPLES_COURT];
    return n >= PyUnicode_GET_LENGTH(court) && PyUnicode_Tailmatch(t, court, 0, n, 1) == 1;
}

/* _court_marks: the case number, the court channels (channel: the court_channel hits) and a court's signature */
int
lg_court_marks(const Detector *d, PyObject *signals, PyObject *text, PyObject *features, PyObject *channel)
{
    int ok = -1;
    PyObject *nspans = NULL, *values = NULL, *detail = NULL, *court_links = NULL, *names = NULL, *value = NULL;
    PyObject *match = NULL, *span = NULL, *group = NULL, *pos = NULL, *signed_nspan = NULL, *signed_value = NULL;
    /* strong references: the records' slots are only read, but the calls below may run any code */
    PyObject *cases = Py_NewRef(SLOT(features, d, S_CASE_NUMBERS)), *links = Py_NewRef(SLOT(features, d, S_LINKS));
    PyObject *signatures = Py_NewRef(SLOT(features, d, S_SIGNATURES)), *t = Py_NewRef(SLOT(text, d, S_TEXT));
    Py_ssize_t n_cases = PyTuple_GET_SIZE(cases);
    if (n_cases > 0) {
        if ((nspans = PyList_New(n_cases)) == NULL || (values = PyList_New(n_cases)) == NULL) {
            goto done;
        }
        for (Py_ssize_t i = 0; i < n_cases; i++) {
            PyObject *c = PyTuple_GET_ITEM(cases, i);
            PyList_SET_ITEM(nspans, i, Py_NewRef(SLOT(c, d, S_NSPAN)));
            PyList_SET_ITEM(values, i, Py_NewRef(SLOT(c, d, S_VALUE)));
        }
        if ((detail = PyUnicode_Join(lg_words[W_SEP], values)) == NULL) {
            goto done;
        }
        PyObject *kw[3] = {nspans, PyList_GET_ITEM(values, 0), detail};
        if (lg_add_signal(d, signals, lg_words[W_CASE_NUMBER], text, NULL, lg_kw_marks, kw) < 0) {
            goto done;
        }
        Py_CLEAR(nspans);
    }
    if (PyTuple_GET_SIZE(links) > 0 && (court_links = PyList_New(0)) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(links); i++) {
        PyObject *link = PyTuple_GET_ITEM(links, i);
        int r = lg_search(d->o[O_COURT_HOST], SLOT(link, d, S_HOST), NULL, NULL);
        if (r < 0 || (r && PyList_Append(court_links, link) < 0)) {
            goto done;
        }
    }
    Py_ssize_t n_channel = PySequence_Fast_GET_SIZE(channel);
    Py_ssize_t n_links = court_links == NULL ? 0 : PyList_GET_SIZE(court_links);
    if (n_channel > 0 || n_links > 0) {
        /* "、".join(dict.fromkeys(names)) */
        if ((names = PyDict_New()) == NULL || (nspans = PyList_New(n_links)) == NULL) {
            goto done;
        }
        for (Py_ssize_t i = 0; i < n_channel; i++) {
            if (PyDict_SetDefault(names, TERM_OF(PySequence_Fast_GET_ITEM(channel, i)), Py_None) == NULL) {
                goto done;
            }
        }
        for (Py_ssize_t i = 0; i < n_links; i++) {
            PyObject *link = PyList_GET_ITEM(court_links, i);
            PyList_SET_ITEM(nspans, i, Py_NewRef(SLOT(link, d, S_LINK_NSPAN)));
            if (PyDict_SetDefault(names, SLOT(link, d, S_HOST), Py_None) == NULL) {
                goto done;
            }
        }
        if ((value = PyUnicode_Join(lg_words[W_SEP], names)) == NULL) {
            goto done;
        }
        PyObject *kw[3] = {nspans, value, value};
        if (lg_add_signal(d, signals, lg_words[W_COURT_CHANNEL_SIGNAL], text, channel, lg_kw_marks, kw) < 0) {
            goto done;
        }
    }
    for (Py_ssize_t i = 0; signed_value == NULL && i < PyTuple_GET_SIZE(signatures); i++) {
        PyObject *s = PyTuple_GET_ITEM(signatures, i), *v = SLOT(s, d, S_VALUE);
        int r = PyUnicode_Contains(v, lg_words[W_COURT]);
        if (r > 0) {
            r = lg_search(d->o[O_COURT_SIGNATURE], v, NULL, NULL);
        }
        if (r < 0) {
            goto done;
        }
        if (r > 0) {
            signed_nspan = Py_NewRef(SLOT(s, d, S_NSPAN));
            signed_value = Py_NewRef(SLOT(s, d, S_VALUE));
        }
    }
    if (signed_value != NULL) {
        if (lg_add_span_signal(d, signals, lg_words[W_COURT_SIGNATURE], text, signed_nspan, signed_value) < 0) {
            goto done;
        }
    }
    else {
        int r = d->tail_prechecked ? may_end_with_a_court(t) : PyUnicode_Contains(t, lg_words[W_COURT]);
        if (r > 0) {
            Py_ssize_t start = PyUnicode_GET_LENGTH(t) - d->tail_window;
            if ((pos = PyLong_FromSsize_t(start > 0 ? start : 0)) == NULL) {
                goto done;
            }
            r = lg_search(d->o[O_COURT_TAIL], t, pos, &match);
        }
        if (r < 0) {
            goto done;
        }
        if (r > 0) {
            PyObject *args[2] = {match, lg_one};
            if ((span = PyObject_VectorcallMethod(lg_words[W_SPAN], args, 2, NULL)) == NULL
                || (group = PyObject_VectorcallMethod(lg_words[W_GROUP], args, 2, NULL)) == NULL
                || lg_add_span_signal(d, signals, lg_words[W_COURT_SIGNATURE], text, span, group) < 0) {
                goto done;
            }
        }
    }
    ok = 0;
done:
    Py_XDECREF(nspans);
    Py_XDECREF(values);
    Py_XDECREF(detail);
    Py_XDECREF(court_links);
    Py_XDECREF(names);
    Py_XDECREF(value);
    Py_XDECREF(match);
    Py_XDECREF(span);
    Py_XDECREF(group);
    Py_XDECREF(pos);
    Py_XDECREF(signed_nspan);
    Py_XDECREF(signed_value);
    Py_DECREF(cases);
    Py_DECREF(links);
    Py_DECREF(signatures);
    Py_DECREF(t);
    return ok;
}

/* sorted([*hits, *(TermHit(freeze_entry, *m.span()) for m in freeze.finditer(t))], key=order) */
PyObject *
lg_with_freeze_hits(const Detector *d, PyObject *t, PyObject *hits)
{
    PyObject *args[3] = {d->o[O_FREEZE], t};
    PyObject *list = PySequence_List(hits), *matches = NULL, *m = NULL;
    if (list == NULL || (matches = PyObject_VectorcallMethod(lg_words[W_FINDITER], args, 2, NULL)) == NULL) {
        goto error;
    }
    PyObject *it = PyObject_GetIter(matches);
    Py_SETREF(matches, it);
    while (matches != NULL && (m = PyIter_Next(matches)) != NULL) {
        PyObject *span = PyObject_VectorcallMethod(lg_words[W_SPAN], &m, 1, NULL);
        Py_CLEAR(m);
        if (span == NULL) {
            goto error;
        }
        if (!PyTuple_CheckExact(span) || PyTuple_GET_SIZE(span) != 2) {
            Py_DECREF(span);
            PyErr_SetString(PyExc_TypeError, "Match.span() is not a pair");
            goto error;
        }
        PyObject *fields[3] = {d->o[O_FREEZE_ENTRY], PyTuple_GET_ITEM(span, 0), PyTuple_GET_ITEM(span, 1)};
        int r = lg_append_new(list, PyObject_Vectorcall(d->o[O_HIT], fields, 3, NULL));
        Py_DECREF(span);
        if (r < 0) {
            goto error;
        }
    }
    if (matches == NULL || PyErr_Occurred()) {
        goto error;
    }
    Py_CLEAR(matches);
    args[0] = list;
    args[1] = d->o[O_ORDER];
    PyObject *none = PyObject_VectorcallMethod(lg_words[W_SORT], args, 1, lg_kw_key);
    if (none == NULL) {
        goto error;
    }
    Py_DECREF(none);
    return list;
error:
    Py_XDECREF(list);
    Py_XDECREF(matches);
    return NULL;
}

