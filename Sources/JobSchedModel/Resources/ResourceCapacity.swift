/// What the server hands out to its jobs (`--cpus`, `--mem`, `--gpus`,
/// `--bind-cpus`). A resource not given is not counted: without `--cpus`,
/// only `-j` limits how many jobs run, as before resources existed.
package struct ResourceCapacity: Equatable, Sendable {
    package var cpus: Int?
    /// The cores jobs are pinned to, one set per job (`--bind-cpus`); empty: no pinning.
    package var cpuIDs: [Int]
    package var mem: MemorySize?
    /// The GPUs to hand out, by id (an index or a UUID); empty: none, and
    /// `CUDA_VISIBLE_DEVICES` is left alone.
    package var gpuIDs: [String]

    package init(cpus: Int? = nil, cpuIDs: [Int] = [], mem: MemorySize? = nil, gpuIDs: [String] = []) {
        (self.cpus, self.cpuIDs, self.mem, self.gpuIDs) = (cpus, cpuIDs, mem, gpuIDs)
    }

    /// Why a request can never be met here, in the request's terms; nil if it can.
    /// A job asking more than there is would wait for ever: it is refused at submit.
    package func refusal(of request: ResourceRequest) -> String? {
        if let cpus, request.cpus > cpus {
            return "asks \(request.cpus) cpus; this server has \(cpus)"
        }
        if let mem, let asked = request.mem, asked > mem {
            return "asks \(asked.text) of memory; this server has \(mem.text)"
        }
        if request.gpus > gpuIDs.count {
            return gpuIDs.isEmpty
                ? "asks \(request.gpus) gpu\(request.gpus == 1 ? "" : "s"); this server has none (start it with --gpus)"
                : "asks \(request.gpus) gpus; this server has \(gpuIDs.count)"
        }
        return nil
    }
}

/// The GPU ids `nvidia-smi --query-gpu=index --format=csv,noheader` lists, one a line.
package enum GPUList {
    package static func parse(nvidiaSMIOutput text: String) -> [String] {
        // An id holds no blank: what is between blanks and line ends is one.
        text.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// `--gpus 0,1,2,3`: the ids, each once; nil if one is empty or repeated.
    package static func parse(list text: String) -> [String]? {
        let ids = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !ids.isEmpty, ids.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }), Set(ids).count == ids.count else { return nil }
        return ids
    }
}
