import Foundation
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import StreamLyLink
import StreamLyProcess
import StreamLyProtocol
import Testing

/// A throwaway CA with a server certificate (localhost / 127.0.0.1) and a client
/// certificate, made with the openssl command-line tool.
struct TestPKI {
    let directory: URL

    static func make() throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
        set -e
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem 2>/dev/null
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=other-ca -keyout other.key -out other.pem 2>/dev/null
        for name in server client; do
          openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=$name -keyout $name.key -out $name.csr 2>/dev/null
          printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > $name.ext
          openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile $name.ext -out $name.pem 2>/dev/null
        done
        """
        // `sh -c SCRIPT DIR`: the script sees the directory as $0.
        let (status, _) = try ChildProcess.runBlocking("/bin/sh", ["-c", "cd \"$0\"\n" + script, directory.path])
        guard status == 0 else { throw LinkError(.invalidArgument, "openssl failed") }
        return TestPKI(directory: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

@Suite("Link over TLS")
struct LinkTLSTests {
    static func startServer(_ tls: LinkTLSConfiguration, mutual: Bool) async throws -> (LinkServer, ServiceGroup, Task<Void, any Error>) {
        let endpoint = LinkEndpointConfiguration(
            nodeID: "tls-origin", role: .origin,
            authenticator: try ClusterSecretAuthenticator(secret: testSecret, alsoAcceptMutualTLS: mutual))
        let server = LinkServer(host: "127.0.0.1", port: 0, endpoint: endpoint, tls: try tls.makeServerContext(),
                                logger: Logger(label: "test.tls")) { connection in
            for await inbound in connection.inbound {
                guard case .request(let request) = inbound else { continue }
                _ = try? await LinkDiagnostics.handle(request, nodeID: "tls-origin")
            }
        }
        let group = ServiceGroup(services: [server], logger: Logger(label: "test.tls"))
        let task = Task { try await group.run() }
        while server.boundPort == nil { try await Task.sleep(for: .milliseconds(5)) }
        return (server, group, task)
    }

    static func connect(port: Int, _ tls: LinkTLSConfiguration, mutual: Bool) async throws -> LinkConnection {
        try await LinkClient.connect(
            host: "127.0.0.1", port: port,
            endpoint: LinkEndpointConfiguration(
                nodeID: "tls-edge", role: .edge,
                authenticator: try ClusterSecretAuthenticator(secret: testSecret, alsoAcceptMutualTLS: mutual)),
            tls: try tls.makeClientContext(), serverHostname: "localhost")
    }

    @Test("TLS with the cluster secret; a client trusting another CA is refused")
    func tlsWithSecret() async throws {
        let pki = try TestPKI.make()
        let (server, group, task) = try await Self.startServer(
            LinkTLSConfiguration(certificatePath: pki.path("server.pem"), keyPath: pki.path("server.key")), mutual: false)
        let connection = try await Self.connect(port: server.boundPort!, LinkTLSConfiguration(caPath: pki.path("ca.pem")), mutual: false)
        #expect(connection.peer.authMethod == .clusterSecret)
        #expect(try await connection.request("sys.ping").status == 200)
        await #expect(throws: (any Error).self) {
            _ = try await Self.connect(port: server.boundPort!, LinkTLSConfiguration(caPath: pki.path("other.pem")), mutual: false)
        }
        await connection.close()
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    @Test("mutual TLS authenticates the edge by certificate; no certificate, no link")
    func mutualTLS() async throws {
        let pki = try TestPKI.make()
        let (server, group, task) = try await Self.startServer(
            LinkTLSConfiguration(certificatePath: pki.path("server.pem"), keyPath: pki.path("server.key"),
                                 caPath: pki.path("ca.pem"), requireClientCertificate: true), mutual: true)
        let client = LinkTLSConfiguration(certificatePath: pki.path("client.pem"), keyPath: pki.path("client.key"),
                                          caPath: pki.path("ca.pem"))
        let connection = try await Self.connect(port: server.boundPort!, client, mutual: true)
        #expect(connection.peer.authMethod == .mutualTLS)
        #expect(try await connection.request("sys.ping").status == 200)
        await #expect(throws: (any Error).self) {
            _ = try await Self.connect(port: server.boundPort!, LinkTLSConfiguration(caPath: pki.path("ca.pem")), mutual: false)
        }
        await connection.close()
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
