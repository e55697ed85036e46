/// What a job asks of a Slurm cluster beyond its resources (`cpus=`, `mem=`,
/// `gpus=`, which every executor takes): `partition=`, `gres=`, `nodes=`,
/// `qos=`. Each becomes one `sbatch`/`srun` argument of its own, never part
/// of a shell line, and each is checked first, so that a value cannot smuggle
/// in another option.
public struct SlurmOptions: Equatable, Sendable {
    public var partition: String?
    /// Generic resources, such as `gpu:1` or `gpu:a100:2,shard:1`.
    public var gres: String?
    public var nodes: Int?
    public var qos: String?

    public init(partition: String? = nil, gres: String? = nil, nodes: Int? = nil, qos: String? = nil) {
        (self.partition, self.gres, self.nodes, self.qos) = (partition, gres, nodes, qos)
    }

    public var isEmpty: Bool { self == SlurmOptions() }

    /// The options as `name=value` pairs, in a fixed order: how they are stored and shown.
    package var pairs: [(name: String, value: String)] {
        let all: [(String, String?)] = [
            ("partition", partition), ("gres", gres),
            ("nodes", nodes.map(String.init)), ("qos", qos),
        ]
        return all.compactMap { name, value in value.map { (name, $0) } }
    }

    /// The `sbatch`/`srun` arguments, with the server's defaults for what the
    /// job leaves out, and its resources (cpus past the one Slurm gives anyway).
    package func arguments(defaultPartition: String?, account: String?, resources: ResourceRequest) -> [String] {
        var arguments: [String] = []
        if let partition = partition ?? defaultPartition { arguments.append("--partition=\(partition)") }
        if let account { arguments.append("--account=\(account)") }
        if resources.cpus != 1 { arguments.append("--cpus-per-task=\(resources.cpus)") }
        if let mem = resources.mem { arguments.append("--mem=\(mem.text)") }
        if resources.gpus > 0 { arguments.append("--gpus=\(resources.gpus)") }
        if let gres { arguments.append("--gres=\(gres)") }
        if let nodes { arguments.append("--nodes=\(nodes)") }
        if let qos { arguments.append("--qos=\(qos)") }
        return arguments
    }

    // MARK: Checking

    /// A partition, account or QOS name.
    package static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.first != "-"
            && text.utf8.allSatisfy { isASCIIDigit($0) || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z")) || "_-.".utf8.contains($0) }
    }

    /// `gpu:1`, `gpu:a100:2,shard:1`: comma-separated names with optional `:type` and `:count`.
    package static func isGres(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 256 else { return false }
        return text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { item in
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count <= 3 && parts.allSatisfy { isName(String($0)) }
        }
    }

    /// The options stored as text (`name=value` lines), read back; unknown or bad lines are skipped.
    package init(stored text: String) {
        self.init()
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let value = String(line[line.index(after: equals)...])
            switch line[..<equals] {
            case "partition" where SlurmOptions.isName(value): partition = value
            case "gres" where SlurmOptions.isGres(value): gres = value
            case "nodes": nodes = Int(value)
            case "qos" where SlurmOptions.isName(value): qos = value
            default: continue
            }
        }
    }

    package var stored: String { pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "\n") }
}
