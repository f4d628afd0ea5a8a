# Deployment helper with a reviewed exception.
class DeployTask
  def restart(service)
    # arbiter:ignore RB-CMDI-001 service name is validated against SERVICES above
    system("systemctl restart #{service}")
  end

  def tail(file)
    `tail -n 100 #{file}`  # arbiter-expect: RB-CMDI-001
  end
end
