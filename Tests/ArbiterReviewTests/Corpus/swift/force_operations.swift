import Foundation
import UIKit

final class ProfileViewController: UIViewController {
    @IBOutlet weak var nameLabel: UILabel!
    @IBOutlet weak var avatarView: UIImageView!
    var viewModel: ProfileViewModel!
    private var cachedProfile: Profile?

    override func viewDidLoad() {
        super.viewDidLoad()
        // Force unwrap in a comment is fine: profile!.name
        nameLabel.text = "Welcome!"
        if cachedProfile != nil {
            render(cachedProfile!)  // arbiter-expect: SWIFT-FORCE-003
        }
    }

    func loadProfile(from url: URL) -> Profile {
        let data = try! Data(contentsOf: url)  // arbiter-expect: SWIFT-FORCE-001
        let decoded = try! JSONDecoder().decode(Profile.self, from: data)  // arbiter-expect: SWIFT-FORCE-001
        return decoded
    }

    func loadProfileSafely(from url: URL) -> Profile? {
        do {
            let data = try Data(contentsOf: url)
            return try JSONDecoder().decode(Profile.self, from: data)
        } catch {
            print("Could not load profile: \(error)")
            return nil
        }
    }

    func configureCell(_ tableView: UITableView, at indexPath: IndexPath) -> UITableViewCell {
        let cell = tableView.dequeueReusableCell(withIdentifier: "ProfileCell", for: indexPath) as! ProfileCell  // arbiter-expect: SWIFT-FORCE-002
        cell.titleLabel.text = viewModel.title(at: indexPath.row)
        return cell
    }

    func configureCellSafely(_ tableView: UITableView, at indexPath: IndexPath) -> UITableViewCell {
        guard let cell = tableView.dequeueReusableCell(withIdentifier: "ProfileCell", for: indexPath) as? ProfileCell else {
            return UITableViewCell()
        }
        return cell
    }

    func avatarURL(for profile: Profile) -> URL {
        // A constant literal that always parses is accepted.
        let base = URL(string: "https://cdn.example.com/avatars")!
        return base.appendingPathComponent(profile.id)
    }

    func profileURL(for id: String) -> URL {
        return URL(string: "https://example.com/u/" + id)!  // arbiter-expect: SWIFT-FORCE-003
    }

    func firstTag(in profile: Profile) -> String {
        let tags = profile.metadata["tags"] as? [String]
        return tags!.first ?? ""  // arbiter-expect: SWIFT-FORCE-003
    }

    func isAdult(_ profile: Profile) -> Bool {
        guard let age = profile.age else { return false }
        return age >= 18 && !profile.isBlocked
    }

    func displayName(_ profile: Profile) -> String {
        if let nickname = profile.nickname, !nickname.isEmpty {
            return nickname
        }
        return profile.name ?? "Anonymous"
    }

    func attach(handle: OpaquePointer!, owner: AnyObject) {
        _ = (handle, owner)
    }

    func compare(_ a: Profile, _ b: Profile) -> Bool {
        return a.id != b.id
    }
}
