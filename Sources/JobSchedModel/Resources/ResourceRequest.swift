/// What a job asks of the machine: `cpus=` (1 unless given), `mem=` (none
/// unless given), `gpus=` (none unless given).
package struct ResourceRequest: Equatable, Sendable {
    package var cpus: Int
    package var mem: MemorySize?
    package var gpus: Int

    package init(cpus: Int = 1, mem: MemorySize? = nil, gpus: Int = 0) {
        (self.cpus, self.mem, self.gpus) = (cpus, mem, gpus)
    }

    package static let maxCPUs = 100_000
    package static let maxGPUs = 1024

    /// Parses the three parameters as given (nil: left out), or says what is wrong and how to write it.
    package init(cpus: String?, mem: String?, gpus: String?) throws(RequestError) {
        self.init()
        if let cpus {
            guard let value = Int(cpus), (1...ResourceRequest.maxCPUs).contains(value) else {
                throw RequestError(status: 400, message: "cpus must be a whole number from 1 to \(ResourceRequest.maxCPUs), e.g. cpus=2; got \(Excerpt.quoted(cpus))")
            }
            self.cpus = value
        }
        if let mem {
            guard let size = MemorySize(mem) else {
                throw RequestError(status: 400, message: "mem must be \(MemorySize.syntax), e.g. mem=4G; got \(Excerpt.quoted(mem))")
            }
            self.mem = size
        }
        if let gpus {
            guard let value = Int(gpus), (0...ResourceRequest.maxGPUs).contains(value) else {
                throw RequestError(status: 400, message: "gpus must be a whole number from 0 to \(ResourceRequest.maxGPUs), e.g. gpus=1; got \(Excerpt.quoted(gpus))")
            }
            self.gpus = value
        }
    }
}
