import InitSystem

@main
struct PCInit {
    static func main() {
    }
}
