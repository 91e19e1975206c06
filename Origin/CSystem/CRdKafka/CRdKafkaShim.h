// System librdkafka. No macros need wrapping yet (rd_kafka_producev, which is variadic,
// will get a wrapper here when the producer is added).
#ifndef STREAMLY_CRDKAFKA_SHIM_H
#define STREAMLY_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>

#endif
