import Foundation
import NIOCore

/// The call's timers on its event loop: NACKs and transport-cc feedback every 40 ms, active
/// speakers every 500 ms, receiver/sender reports, REMB, layer choice and metrics every second.
extension Call {
    func startTimers() {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        lastBitrateTick = Self.now()
        timers.append(eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(40), delay: .milliseconds(40)) { _ in
            bound.value.nackTick()
        })
        timers.append(eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(500), delay: .milliseconds(500)) { _ in
            bound.value.speakerTick()
        })
        timers.append(eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            bound.value.reportTick()
        })
    }

    func nackTick() {
        let now = Self.now()
        for participant in participants {
            for producer in participant.producers where producer.media.kind == "video" { producer.sendDueNacks(now: now) }
            participant.sendTransportFeedback()
        }
    }

    func speakerTick() {
        var levels: [(participant: String, meanLevel: Double, packets: Int)] = []
        for participant in participants {
            var best: (Double, Int)?
            for producer in participant.producers where producer.media.kind == "audio" && !producer.isMuted {
                let sample = producer.audioMeter.take()
                if best == nil || sample.meanLevel < best!.0 { best = (sample.meanLevel, sample.packets) }
            }
            if let best { levels.append((participant.id, best.0, best.1)) }
        }
        guard let ranking = speakers.update(levels) else { return }
        for participant in participants { participant.listener?.speakers(ranking) }
    }

    func reportTick() {
        let now = Self.now()
        let interval = now - lastBitrateTick
        lastBitrateTick = now
        let ntp = Self.ntpNow()
        for participant in participants {
            // An idle slot's ring of its last track's packets answers nothing once they are too old.
            for index in participant.slots.indices {
                guard let continuation = participant.slots[index].continuation,
                      let cache = continuation.cache, now &- continuation.ended > cache.maxAge else { continue }
                participant.slots[index].continuation?.cache = nil
            }
            var blocks: [RTCPReportBlock] = []
            for producer in participant.producers {
                producer.measureBitrates(interval: interval)
                blocks += producer.reportBlocks(now: now)
            }
            if !participant.producers.isEmpty {
                // RRs make Chromium stop repeating mid/rid (SFU-NOTES §7); REMB sets its encoder's budget.
                participant.rtcpScratch.clear()
                RTCPReceiverReport(ssrc: participant.feedbackSSRC, reports: Array(blocks.prefix(31)))
                    .write(to: &participant.rtcpScratch)
                let videoSSRCs = participant.producers.filter { $0.media.kind == "video" }.flatMap { $0.layers.compactMap(\.ssrc) }
                if !videoSSRCs.isEmpty {
                    RTCPReceiverEstimatedMaxBitrate(senderSSRC: participant.feedbackSSRC, bitrate: limits.publisherMaxBitrate,
                                                    ssrcs: videoSSRCs).write(to: &participant.rtcpScratch)
                }
                participant.sendToPublisher(&participant.rtcpScratch)
            }
            var reported = false
            participant.rtcpScratch.clear()
            var forwarded: UInt64 = 0
            for consumer in participant.consumersByMid.values {
                forwarded &+= consumer.tickBytes
                consumer.tickBytes = 0
            }
            participant.forwardedBitrate = interval == 0 ? 0 : forwarded * 8 * 1_000_000_000 / interval
            if let estimate = participant.bandwidth.update() {
                participant.downlink.estimateReceived(estimate, forwarded: participant.forwardedBitrate, now: now)
            }
            for consumer in participant.consumersByMid.values {
                consumer.selectLayer(now: now)
                if let report = consumer.senderReport(ntp: ntp, now: now) {
                    report.write(to: &participant.rtcpScratch)
                    reported = true
                }
            }
            if reported { participant.sub?.sendRTCP(&participant.rtcpScratch) }
        }
        counters.flush(to: metrics)
        for relay in relays { relay.tick() }
    }

    /// NTP time (RFC 5905: seconds since 1900 in the high 32 bits, fraction in the low 32).
    static func ntpNow() -> UInt64 {
        let since1970 = Date().timeIntervalSince1970
        let seconds = UInt64(since1970) + 2_208_988_800
        let fraction = UInt64((since1970 - since1970.rounded(.down)) * 4_294_967_296)
        return seconds << 32 | fraction
    }
}
