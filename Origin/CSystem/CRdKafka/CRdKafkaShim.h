// System librdkafka. No macros need wrapping: the producer uses rd_kafka_produceva, the
// non-variadic form of rd_kafka_producev, and the mock cluster's error injection uses
// rd_kafka_mock_push_request_errors_array, the non-variadic form of
// rd_kafka_mock_push_request_errors.
#ifndef STREAMLY_CRDKAFKA_SHIM_H
#define STREAMLY_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#endif
