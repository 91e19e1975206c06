// System librdkafka. No macros need wrapping: the producer uses rd_kafka_produceva, the
// non-variadic form of rd_kafka_producev.
#ifndef STREAMLY_CRDKAFKA_SHIM_H
#define STREAMLY_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>

#endif
