/* Shared by the two sources of smsguard_plugins._ccollector: collector.c (the body, the known names, the module)
 * and collector_shapes.c (the collector-shaped names and the 【signature】). See collector.c.
 */
#ifndef SMSGUARD_COLLECTOR_H
#define SMSGUARD_COLLECTOR_H

#include "detector.h"

enum {
    T_READ, T_BY_KIND, T_RESOLVE_OVERLAPS, T_MAKE_SIGNAL, T_SPAN_SIGNAL, T_INSIDE, T_CONTEXT_OF, T_READER_DIRECTED,
    T_NAMED_KINDS, T_SIGNATURE_KINDS, T_SIGNATURE_OWNERS, T_NAMED_SHAPES, T_DEPARTMENTS, T_CONFIDENCE,
    T_DEFAULT_GRADE, T_UNKNOWN_CONFIDENCE, T_NAME_VERBS, T_TAIL_MATCH, N_TABLES
};
/* the kinds the body names, and the signals it emits by kind (their names: KIND_NAMES in collector.c) */
enum { K_KNOWN_COMPANY, K_LENDER, K_OBFUSCATED, K_COMPANY_SHAPE, K_SIGNATURE, N_KINDS };

#define N_HELD (N_TABLES + 2 * N_KINDS + 5)

typedef struct {
    dt_head head;
    union {
        PyObject *held[N_HELD];             /* the objects below, as dt_head sees them */
        struct {
            PyObject *t[N_TABLES];
            PyObject *kinds[N_KINDS];       /* the kind strs */
            PyObject *names[N_KINDS];       /* the signal names of the kinds above */
            PyObject *reference;
            PyObject *signal_of;            /* kind -> signal name (the "names" table) */
            PyObject *one_company;          /* ("known_company",): the signature owners of an undirected message */
            PyTypeObject *hit_type, *entry_type;
        };
    };
    Py_UCS4 *name_stop;
    Py_ssize_t n_stop, name_max, name_min;
} Detector;
_Static_assert(offsetof(Detector, entry_type) == offsetof(Detector, held[N_HELD - 1]), "held[] is every object");

extern PyObject *cl_s_text, *cl_s_signatures, *cl_s_nspan, *cl_s_value, *cl_s_end, *cl_list_sep, *cl_empty_str;
extern PyObject *cl_kw_value_confidence, *cl_kw_value_detail, *cl_kw_nspans_value;

#define KIND(h) DT_KIND(h)
#define ATTRS(h) DT_ATTRS(h)
#define POS(h, i) PyLong_AsSsize_t(PyTuple_GET_ITEM((h), (i)))  /* checked by plain_hit */

int cl_emit(const Detector *d, PyObject *signals, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
PyObject *cl_joined(PyObject *keys);
int cl_shape_signals(const Detector *d, PyObject *signals, PyObject *ntext, PyObject *t, PyObject *chosen);
int cl_signature_signal(const Detector *d, PyObject *signals, PyObject *ntext, PyObject *signatures,
                        PyObject *chosen, int directed);

#endif
