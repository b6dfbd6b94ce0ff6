/* smsguard_plugins._curgency, second part: bind()'s work, the state filled from the tables plugins/urgency.py
 * hands over, and its clearing. See urgency.c.
 */
#include "urgency.h"

void
ur_state_clear(void *p)
{
    state *s = p;
    PyObject **objects[] = {
        &s->reference, &s->read, &s->make_signal, &s->number_value, &s->within, &s->by_day, &s->match_span,
        &s->minutes, &s->hours, &s->final, &s->short_hours, &s->short_days, &s->lead,
    };
    for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
        Py_CLEAR(*objects[i]);
    }
    for (int i = 0; i < N_SIGNALS; i++) {
        Py_CLEAR(s->names[i]);
    }
    for (int i = 0; i < N_KWNAMES; i++) {
        Py_CLEAR(s->kwnames[i]);
    }
    Py_CLEAR(s->marks[0]);
    Py_CLEAR(s->marks[1]);
    Py_CLEAR(s->hit_type);
    Py_CLEAR(s->entry_type);
    wt_clear(&s->words);
}

/* tables[key], a tuple of ``n`` exact strs, into out[0..n) */
static int
strs_of(PyObject *tables, const char *key, Py_ssize_t n, PyObject **out)
{
    PyObject *strs = dt_table(tables, key);
    if (strs == NULL) {
        return -1;
    }
    if (!PyTuple_CheckExact(strs) || PyTuple_GET_SIZE(strs) != n) {
        PyErr_Format(PyExc_TypeError, "bind: %s must be a tuple of %zd strs", key, n);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(strs, i))) {
            PyErr_Format(PyExc_TypeError, "bind: %s must be a tuple of %zd strs", key, n);
            return -1;
        }
        out[i] = Py_NewRef(PyTuple_GET_ITEM(strs, i));
    }
    return 0;
}

static int
long_of(PyObject *tables, const char *key, long long *out)
{
    PyObject *o = dt_table(tables, key);
    if (o == NULL) {
        return -1;
    }
    if (!PyLong_CheckExact(o)) {
        PyErr_Format(PyExc_TypeError, "bind: %s must be an int", key);
        return -1;
    }
    *out = PyLong_AsLongLong(o);
    if (*out < 0 || *out > 1000000) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_ValueError, "bind: %s must be from 0 to 1000000", key);
        }
        return -1;
    }
    return 0;
}

int
ur_bind_state(void *p, PyObject *reference, PyObject *tables)
{
    state *s = p;
    static const char *const callables[] = {"read", "make_signal", "number_value"};
    PyObject **callable_slots[] = {&s->read, &s->make_signal, &s->number_value};
    s->reference = Py_NewRef(reference);
    for (size_t i = 0; i < sizeof(callables) / sizeof(callables[0]); i++) {
        PyObject *f = dt_table(tables, callables[i]);
        if (f == NULL) {
            return -1;
        }
        *callable_slots[i] = Py_NewRef(f);
    }
    if ((s->within = dt_table_attr(tables, "within", "search")) == NULL
        || (s->by_day = dt_table_attr(tables, "by_day", "search")) == NULL
        || (s->match_span = dt_table_attr(tables, "match_type", "span")) == NULL) {
        return -1;
    }
    PyObject *units[2];
    if (strs_of(tables, "names", N_SIGNALS, s->names) < 0 || strs_of(tables, "units", 2, units) < 0) {
        return -1;
    }
    s->minutes = units[0];
    s->hours = units[1];
    PyObject *kind = dt_table(tables, "final"), *limits[2];
    if (kind == NULL || !PyUnicode_CheckExact(kind)) {
        if (kind != NULL) {
            PyErr_SetString(PyExc_TypeError, "bind: final must be a str");
        }
        return -1;
    }
    s->final = Py_NewRef(kind);
    if ((limits[0] = dt_table(tables, "short_hours")) == NULL || (limits[1] = dt_table(tables, "short_days")) == NULL) {
        return -1;
    }
    s->short_hours = Py_NewRef(limits[0]);
    s->short_days = Py_NewRef(limits[1]);
    if (long_of(tables, "max_level", &s->max_level) < 0
        || long_of(tables, "short_deadline_weight", &s->short_weight) < 0
        || long_of(tables, "deadline_weight", &s->weight) < 0) {
        return -1;
    }
    if (dt_hit_types(tables, &s->hit_type, &s->entry_type) < 0) {
        return -1;
    }
    PyObject *day_words = dt_table(tables, "day_words");
    if (day_words == NULL || strs_of(tables, "marks", 2, s->marks) < 0) {
        return -1;
    }
    if (wt_add(&s->words, day_words, G_DAY, "day_words") < 0) {
        return -1;
    }
    PyObject *within = dt_table(tables, "units_within");
    if (within == NULL) {
        return -1;
    }
    if (!PyTuple_CheckExact(within) || PyTuple_GET_SIZE(within) != 3
        || !PyUnicode_CheckExact(PyTuple_GET_ITEM(within, 2)) || PyUnicode_READY(PyTuple_GET_ITEM(within, 2)) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "bind: units_within must be (units, ends, lead), lead a str");
        }
        return -1;
    }
    if (wt_add(&s->words, PyTuple_GET_ITEM(within, 0), G_UNIT, "units") < 0
        || wt_add(&s->words, PyTuple_GET_ITEM(within, 1), G_END, "ends") < 0) {
        return -1;
    }
    s->lead = Py_NewRef(PyTuple_GET_ITEM(within, 2));
    static const char *const kw[N_KWNAMES][4] = {
        {"nspans", "value", "detail", NULL}, {"nspans", "detail", NULL}, {"nspans", "value", NULL},
    };
    for (int i = 0; i < N_KWNAMES; i++) {
        Py_ssize_t count = 0;
        while (kw[i][count] != NULL) {
            count++;
        }
        if ((s->kwnames[i] = PyTuple_New(count)) == NULL) {
            return -1;
        }
        for (Py_ssize_t j = 0; j < count; j++) {
            PyObject *name = PyUnicode_InternFromString(kw[i][j]);
            if (name == NULL) {
                return -1;
            }
            PyTuple_SET_ITEM(s->kwnames[i], j, name);
        }
    }
    return 0;
}

