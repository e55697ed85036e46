import Glibc
import JobSchedModel

extension IPAddress {
    /// The address of an AF_INET or AF_INET6 socket address; nil for any other family.
    package init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) }
            }
            self.init(bytes: bytes)
        case AF_INET6:
            let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
            }
            self.init(bytes: bytes)
        default:
            return nil
        }
    }

    /// Every address of this host's network interfaces (a server bound to
    /// 0.0.0.0 or :: is reached at each of them).
    package static func ofThisHost() -> [IPAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let address = current.pointee.ifa_addr, let ip = IPAddress(UnsafePointer(address)) { addresses.append(ip) }
            entry = current.pointee.ifa_next
        }
        return addresses
    }
}
