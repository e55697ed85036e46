/// Long work cut into steps, run in turns of at most `turnSeconds`: between
/// two turns the loop looks at its sockets, so however much work is queued
/// (a `/clean` of a million jobs, a hundred clients resuming `/events`), every
/// other client and job is served within a turn. Steps that have more to do
/// go to the back of the queue: long pieces of work share the turns.
package final class Turns {
    private let turnSeconds: Double
    /// Each step returns true when it should be called again.
    private var steps: [() -> Bool] = []
    private var turn: Event!

    package init(loop: EventLoop, turnSeconds: Double) {
        self.turnSeconds = turnSeconds
        turn = loop.deferredEvent { [unowned self] in self.run() }
    }

    /// Runs `step` in a coming turn, and again each turn after as long as it returns true.
    package func add(_ step: @escaping () -> Bool) {
        steps.append(step)
        turn.activate()
    }

    private func run() {
        let deadline = Clock.now() + turnSeconds
        var made = 0
        var again: [() -> Bool] = []
        while made < steps.count, Clock.now() < deadline {
            if steps[made]() { again.append(steps[made]) }
            made += 1
        }
        steps.removeFirst(made)
        steps += again
        // After the loop has looked at its sockets (an activation would run before it does).
        if !steps.isEmpty { turn.add(timeout: 0) }
    }
}
