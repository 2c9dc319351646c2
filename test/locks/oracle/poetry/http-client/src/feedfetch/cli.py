def main() -> None:
    print("feedfetch")
