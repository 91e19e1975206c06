@testable import StreamLyRedis
import Testing

@Suite struct SupervisorStateMachineTests {
    final class FakeConnection: Sendable {}
    typealias Machine = RedisConnectionSupervisor.StateMachine<FakeConnection>

    @Test func waitersResumeOnConnect() async throws {
        let connection = FakeConnection()
        var machine = Machine()
        guard case .wait = machine.requestConnection() else { Issue.record("expected wait"); return }
        let got: FakeConnection = try await withCheckedThrowingContinuation { continuation in
            let id = machine.makeWaiterID()
            let stored = if case .stored = machine.addWaiter(id: id, continuation) { true } else { false }
            #expect(stored)
            #expect(machine.waiterCount == 1)
            if case .resume(let waiters, let published) = machine.connected(connection) {
                for waiter in waiters { waiter.resume(returning: published) }
            } else {
                continuation.resume(throwing: RedisError(.unavailable, "machine did not publish the connection"))
            }
        }
        #expect(got === connection)
        #expect(machine.waiterCount == 0)
        guard case .use(let current) = machine.requestConnection() else { Issue.record("expected use"); return }
        #expect(current === connection)
    }

    @Test func disconnectOnlyClearsTheSameConnection() {
        var machine = Machine()
        let first = FakeConnection(), second = FakeConnection()
        _ = machine.connected(first)
        _ = machine.connected(second)
        machine.disconnected(first)
        #expect(machine.connection === second)
        machine.disconnected(second)
        #expect(machine.connection == nil)
    }

    @Test func timedOutWaiterIsRemovedOnce() async {
        var machine = Machine()
        let id = machine.makeWaiterID()
        await #expect(throws: RedisError.self) {
            let _: FakeConnection = try await withCheckedThrowingContinuation { continuation in
                _ = machine.addWaiter(id: id, continuation)
                machine.removeWaiter(id: id)?.resume(throwing: RedisError(.unavailable, "timed out"))
                #expect(machine.removeWaiter(id: id) == nil, "a waiter is failed at most once")
            }
        }
    }

    @Test func closeFailsEverythingAndRefusesNewConnections() {
        var machine = Machine()
        let connection = FakeConnection()
        _ = machine.connected(connection)
        let action = machine.close()
        #expect(action.connection === connection)
        guard case .fail(let error) = machine.requestConnection() else { Issue.record("expected fail"); return }
        #expect(error.code == .closed)
        guard case .closeConnection = machine.connected(FakeConnection()) else { Issue.record("expected close"); return }
    }
}
